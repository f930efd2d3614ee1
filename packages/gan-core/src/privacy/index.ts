export * from './rdp.js';
