/**
 * The default caption spam classifier: naive Bayes trained on the training split of the
 * SpamAssassin corpus. Prepared at build time into `dist/models/`; trained on the fly (~3 s) when
 * that file is missing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { modelsDir } from '../model-files.js';
import { NaiveBayesSpamModel } from './naive-bayes.js';
import { splitSpamAssassin } from './spam-corpus.js';

/** File name of the prepared model under `dist/models/`. */
export const SPAM_MODEL_FILE = 'spam-naive-bayes.json';

/** Trains the default model from the corpus' training split. */
export function trainDefaultSpamModel(): NaiveBayesSpamModel {
  const { train } = splitSpamAssassin();
  return NaiveBayesSpamModel.train(train, 'spamassassin-train-75pct');
}

let cached: NaiveBayesSpamModel | undefined;

/** The default model, loaded once. */
export function defaultSpamModel(): NaiveBayesSpamModel {
  if (!cached) {
    const file = join(modelsDir(), SPAM_MODEL_FILE);
    cached = existsSync(file)
      ? NaiveBayesSpamModel.fromJSON(JSON.parse(readFileSync(file, 'utf8')))
      : trainDefaultSpamModel();
  }
  return cached;
}
