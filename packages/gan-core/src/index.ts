/**
 * @packageDocumentation
 * gan-core: GAN models, losses, the training loop, checkpoints, sampling and metrics on TensorFlow.js,
 * with a backend picker (tfjs-node -> wasm with the project's kernels -> cpu).
 */
export * from './backend/index.js';
