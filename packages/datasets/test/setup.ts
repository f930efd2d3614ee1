// Tests run on the cpu backend: always available, and what this package must work on.
import * as tf from '@tensorflow/tfjs';

await tf.setBackend('cpu');
await tf.ready();
