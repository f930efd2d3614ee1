/**
 * `@ganmod/moderation/contract`: what the submission API, the review queue, the scorer and the
 * database agree on (input limits, image type sniffing, actions, statuses, categories, reason
 * codes and the maps between them), without TensorFlow.js, sharp or any detector. Everything it
 * imports is in this folder or `../errors.ts`; test/contract.test.ts checks no heavy module loads.
 */
export { INPUT_ERROR_CODES, ModerationInputError, type InputErrorCode } from '../errors.js';
export * from './limits.js';
export * from './sniff.js';
export * from './vocabulary.js';
