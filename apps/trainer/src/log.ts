import { loadEnvironment } from '@ganmod/config';
import { pino, type Logger } from 'pino';

/** Structured logs, one JSON line per event, on stderr so stdout stays for command output. */
export function createLogger(name: string): Logger {
  return pino({ name, level: loadEnvironment().logLevel }, pino.destination(2));
}
