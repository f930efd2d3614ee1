import { pino, type Logger } from 'pino';

/** Structured logs, one JSON line per event, on stderr so stdout stays for command output. */
export function createLogger(name: string): Logger {
  return pino({ name, level: process.env.LOG_LEVEL ?? 'info' }, pino.destination(2));
}
