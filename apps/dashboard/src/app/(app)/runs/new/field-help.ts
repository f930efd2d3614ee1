/** Labels, grouping and one-line help for the launch form; fields not listed here still render. */
export const groups: { title: string; paths: string[] }[] = [
  { title: 'Data and model', paths: ['dataset.kind', 'dataset.path', 'model', 'latentDim'] },
  { title: 'Objective', paths: ['loss', 'labelSmoothing', 'gpWeight', 'r1Gamma', 'diffAugment'] },
  {
    title: 'Optimisation',
    paths: ['steps', 'batchSize', 'dSteps', 'lrG', 'lrD', 'beta1', 'beta2', 'emaDecay', 'seed'],
  },
  {
    title: 'Outputs',
    paths: ['sampleEvery', 'sampleCount', 'checkpointEvery', 'checkpointKeep', 'evalEvery'],
  },
  {
    title: 'Watchdog',
    paths: [
      'watchdog.enabled',
      'watchdog.collapsePatience',
      'watchdog.collapseDLoss',
      'watchdog.collapseGLoss',
    ],
  },
];

export const help: Record<string, { label: string; hint?: string }> = {
  'dataset.kind': { label: 'Dataset' },
  'dataset.path': {
    label: 'Path',
    hint: 'A folder of images (or the IDX files) under the datasets root, GANMOD_DATASETS_DIR (default <data>/datasets); relative paths start there.',
  },
  'dataset.split': { label: 'Split' },
  'dataset.limit': { label: 'Image limit', hint: 'Use only the first N images.' },
  'dataset.size': { label: 'Image size (px)', hint: 'Resize to this side length.' },
  'dataset.channels': { label: 'Channels', hint: '1 = gray, 3 = RGB.' },
  'dataset.classes': { label: 'Classes' },
  'dataset.background': { label: 'Background', hint: '#rgb or #rrggbb behind transparent pixels.' },
  'dataset.testFraction': { label: 'Test fraction' },
  'dataset.seed': { label: 'Dataset seed' },
  model: {
    label: 'Model',
    hint: 'mlp trains fastest; dcgan for images; cdcgan is class-conditional; toy-mlp for the ring8/grid25 point sets (try latent 8, learning rates 2e-3, R1 gamma 0.1).',
  },
  latentDim: { label: 'Latent dimension' },
  loss: { label: 'Loss' },
  labelSmoothing: { label: 'Label smoothing', hint: 'bce only: real targets become 1 − value.' },
  gpWeight: { label: 'Gradient penalty weight', hint: 'wgan-gp only.' },
  r1Gamma: { label: 'R1 gamma', hint: '0 turns the R1 penalty off.' },
  diffAugment: {
    label: 'DiffAugment',
    hint: 'Augment real and fake images before D; helps small datasets.',
  },
  steps: { label: 'Steps' },
  batchSize: { label: 'Batch size' },
  dSteps: { label: 'D steps per G step' },
  lrG: { label: 'Generator learning rate' },
  lrD: { label: 'Discriminator learning rate' },
  beta1: { label: 'Adam β1' },
  beta2: { label: 'Adam β2' },
  emaDecay: { label: 'Generator EMA decay', hint: '0 turns EMA off.' },
  seed: { label: 'Seed' },
  sampleEvery: { label: 'Sample grid every (steps)', hint: '0 = never.' },
  sampleCount: { label: 'Images per grid' },
  checkpointEvery: { label: 'Checkpoint every (steps)', hint: '0 = only at the end.' },
  checkpointKeep: { label: 'Checkpoints kept' },
  evalEvery: { label: 'Evaluate every (steps)', hint: '0 = never.' },
  'watchdog.enabled': { label: 'Stop diverged runs' },
  'watchdog.collapsePatience': { label: 'Collapse patience (steps)' },
  'watchdog.collapseDLoss': { label: 'Collapse: D loss below' },
  'watchdog.collapseGLoss': { label: 'Collapse: G loss above' },
};
