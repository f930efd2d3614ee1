export * from './adversarial.js';
export * from './diffaugment.js';
export * from './penalties.js';
export * from './second-order.js';
export * from './vae.js';
