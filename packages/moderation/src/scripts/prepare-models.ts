/**
 * Build step: writes the package's prepared models into dist/models/ (NSFW weights converted from
 * the nsfwjs bundle, the default spam model trained on the SpamAssassin training split).
 * Run by `pnpm build`; idempotent.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { modelsDir } from '../model-files.js';
import { convertedNsfwDir } from '../nsfw/classifier.js';
import { convertNsfwModel } from '../nsfw/convert.js';
import { SPAM_MODEL_FILE, trainDefaultSpamModel } from '../text/default-spam-model.js';

let t = performance.now();
const bytes = convertNsfwModel('mobilenet_v2', convertedNsfwDir('mobilenet_v2'));
console.log(
  `moderation: NSFW mobilenet_v2 -> ${convertedNsfwDir('mobilenet_v2')} (${(bytes / 1e6).toFixed(1)} MB, ${(performance.now() - t).toFixed(0)} ms)`,
);
t = performance.now();
const spam = trainDefaultSpamModel();
writeFileSync(join(modelsDir(), SPAM_MODEL_FILE), JSON.stringify(spam.toJSON()));
console.log(
  `moderation: spam naive Bayes (${spam.trainedOn}) -> ${join(modelsDir(), SPAM_MODEL_FILE)} (${(performance.now() - t).toFixed(0)} ms)`,
);
