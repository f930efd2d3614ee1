export * from './dp-sgd.js';
export * from './mean-embedding.js';
export * from './per-example.js';
export * from './plan.js';
export * from './rdp.js';
export * from './secret-stream.js';
