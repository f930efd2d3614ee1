export * from './grid.js';
export * from './sample.js';
