export * from './generator.js';
export * from './model-artifacts.js';
export * from './directions.js';
