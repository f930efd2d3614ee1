/**
 * @packageDocumentation
 * Content moderation for ganmod: input validation, detectors (near-duplicate via PDQ, abusive and
 * spam captions, explicit images, GAN-made images), a versioned policy and a pipeline.
 */
export * from './errors.js';
export * from './types.js';
// The TensorFlow-free contract (also `@ganmod/moderation/contract`): limits, sniffing, vocabulary.
export * from './contract/limits.js';
export * from './contract/sniff.js';
export * from './contract/vocabulary.js';
export { validateImage, validateItem, type ValidatedItem } from './input/validate.js';
export { decodeImage, WORKING_MAX_SIDE, type RgbImage } from './input/decode.js';
export * from './pdq/hash256.js';
export * from './pdq/pdq.js';
export {
  decodeBytes,
  pdqFromBytes,
  pdqFromImage,
  type CentralCrop,
  type Region,
} from './pdq/image.js';
export * from './bank/hash-bank.js';
export * from './bank/image-variants.js';
export * from './bank/matcher.js';
export { contentRegions } from './bank/band-trim.js';
export {
  DCT_MATCH_SIMILARITY,
  DCT_SIGNATURE_ALGORITHM,
  dctSignatureHex,
} from './bank/dct-signature.js';
export {
  PROFILE_HEX_LENGTH,
  PROFILE_MATCH_CORRELATION,
  PROFILE_SIGNATURE_ALGORITHM,
  profileSignature,
  profileSignatureHex,
  type ProfileSignature,
} from './bank/profile-signature.js';
// The evaluation's real photo set and edits: other packages' tests bank and edit the same photos.
export {
  PHOTO_EDITS,
  PHOTO_SET_PACKAGES,
  loadSetPhoto,
  photoSet,
  type PhotoEdit,
  type SetPhoto,
} from './eval/photo-set.js';
export type { Detector, DetectorInput } from './detectors/detector.js';
export * from './detectors/near-duplicate.js';
export * from './detectors/caption-abuse.js';
export * from './detectors/caption-spam.js';
export * from './text/profanity.js';
export * from './text/spam-signals.js';
export * from './text/naive-bayes.js';
export { tokenize } from './text/tokenize.js';
export {
  emailToText,
  loadSpamAssassin,
  splitSpamAssassin,
  type SpamCorpusMessage,
} from './text/spam-corpus.js';
export {
  loadSmsCorpus,
  smsSpamProbability,
  SMS_MAX_WORDS,
  type SmsMessage,
} from './text/sms-classifier.js';
export {
  defaultSpamModel,
  trainDefaultSpamModel,
  SPAM_MODEL_FILE,
} from './text/default-spam-model.js';
export * from './policy/policy.js';
export * from './pipeline/moderator.js';
export * from './detectors/explicit.js';
export {
  loadNsfwClassifier,
  loadNsfwNetwork,
  convertedNsfwDir,
  NSFW_CLASSES,
  type NsfwClass,
  type NsfwClassifier,
  type NsfwProbabilities,
} from './nsfw/classifier.js';
export { convertNsfwModel, NSFW_MODELS, type NsfwModelName } from './nsfw/convert.js';
export { skinFraction, isSkinPixel, COLOURLESS_SPREAD } from './nsfw/skin.js';
export * from './metrics/ranking.js';
export * from './feedback/recalibrate.js';
export * from './detectors/synthetic.js';
export * from './synthetic/generator.js';
export * from './synthetic/train.js';
export * from './synthetic/model-dir.js';
export * from './synthetic/gan-core-generator.js';
