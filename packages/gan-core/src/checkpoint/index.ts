export * from './format.js';
export * from './read.js';
export * from './synced-write.js';
export * from './write.js';
export * from './generator.js';
