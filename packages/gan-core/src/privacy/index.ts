export * from './dp-sgd.js';
export * from './plan.js';
export * from './rdp.js';
