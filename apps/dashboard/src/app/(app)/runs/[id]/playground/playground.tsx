'use client';

import type * as Tf from '@tensorflow/tfjs';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Alert } from '~/components/ui/alert';
import { Button } from '~/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '~/components/ui/card';
import { Input, Select } from '~/components/ui/input';
import { generatorClassNames } from '~/lib/class-names';
import { clusterSharesOf } from '@ganmod/gan-core/latent';
import {
  inCluster,
  interpolate,
  latentVector,
  moveAlong,
  orthonormalDirections,
  toRgbaGrid,
} from '~/lib/latent';

type TfModule = typeof Tf;

/** What the playground needs to know about a loaded generator. */
interface Generator {
  tf: TfModule;
  model: Tf.LayersModel;
  backend: string;
  latentDim: number;
  numClasses: number;
  imageShape: [number, number, number];
  /** The export's named GANSpace directions; null: random ones (exports made before them). */
  named: NamedDirection[] | null;
  /** A self-conditioned generator's cut points on z[0] between its clusters; null otherwise. */
  clusterThresholds: number[] | null;
}

const GRID = 16;
const GRID_COLS = 8;
const DIRECTIONS = 3;
const SCALE = 3;

/**
 * True when the browser's WebGL is a software rasteriser (SwiftShader, llvmpipe: what headless
 * Chromium without a GPU offers). TF.js on it is much slower than its plain CPU backend.
 */
function softwareWebGl(): boolean {
  try {
    const gl = document.createElement('canvas').getContext('webgl2');
    if (!gl) return true;
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(
      gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '',
    );
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return /swiftshader|llvmpipe|softpipe|software/i.test(renderer);
  } catch {
    return true;
  }
}

/** Where the dashboard serves the wasm backend's binaries (from the installed package). */
const WASM_BINARIES_URL = '/api/tfjs-wasm/';

/**
 * Registers TensorFlow.js' WebAssembly backend (SIMD; threads too where the page is
 * cross-origin isolated), its binaries fetched from this dashboard, never from a CDN.
 */
async function registerWasmBackend(): Promise<void> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths(WASM_BINARIES_URL);
}

/**
 * The backends to try, fastest first: WebGL on a real GPU, then WebAssembly (5-10x the plain CPU
 * backend on convolutions), then the CPU backend. Software WebGL (SwiftShader, llvmpipe: what
 * headless Chromium without a GPU offers) is slower than either and is skipped.
 */
function backendCandidates(): string[] {
  return softwareWebGl() ? ['wasm', 'cpu'] : ['webgl', 'wasm', 'cpu'];
}

/** The first of `candidates` that initialises here; a tiny op proves the choice before it is used. */
async function pickBackend(tf: TfModule, candidates: readonly string[]): Promise<string> {
  for (const name of candidates) {
    try {
      if (name === 'wasm') await registerWasmBackend();
      if (!(await tf.setBackend(name))) continue;
      await tf.ready();
      const probe = tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(1)));
      const [two] = await probe.data();
      probe.dispose();
      if (two === 2) return name;
    } catch {
      // This backend cannot initialise here; try the next one.
    }
  }
  throw new Error('None of the WebGL, WebAssembly and CPU backends of TensorFlow.js could start.');
}

/** A named GANSpace direction from the export's directions.json. */
interface NamedDirection {
  name: string;
  vector: Float32Array;
  variance: number;
}

/**
 * The export's named latent directions (directions.json beside model.json), or null for an export
 * made before they existed or one whose file does not fit this generator.
 */
async function loadNamedDirections(
  modelUrl: string,
  latentDim: number,
): Promise<NamedDirection[] | null> {
  const res = await fetch(modelUrl.replace(/model\.json$/, 'directions.json'));
  if (!res.ok) return null;
  const body = (await res.json()) as {
    directions?: { name?: unknown; vector?: unknown; variance?: unknown }[];
  };
  const list = (body.directions ?? []).flatMap((d) =>
    typeof d.name === 'string' &&
    Array.isArray(d.vector) &&
    d.vector.length === latentDim &&
    d.vector.every((v) => typeof v === 'number')
      ? [
          {
            name: d.name,
            vector: Float32Array.from(d.vector),
            variance: typeof d.variance === 'number' ? d.variance : 0,
          },
        ]
      : [],
  );
  return list.length > 0 ? list.slice(0, DIRECTIONS) : null;
}

/** True when `model` draws one image on the current backend (zero latent, class 0). */
function drawsOn(tf: TfModule, model: Tf.LayersModel): boolean {
  try {
    tf.tidy(() => {
      const inputs = model.inputs.map((input) =>
        tf.zeros([1, ...input.shape.slice(1)] as number[]),
      );
      model.predict(inputs.length === 1 ? inputs[0]! : inputs);
    });
    return true;
  } catch {
    return false;
  }
}

async function loadGenerator(modelUrl: string): Promise<Generator> {
  const tf = await import('@tensorflow/tfjs');
  let candidates = backendCandidates();
  let backend = await pickBackend(tf, candidates);
  // Same-origin fetches carry the session cookie, which the route handler checks.
  let model = await tf.loadLayersModel(modelUrl);
  // A backend that lacks one of the generator's kernels fails on the first drawing: find out now
  // and load the model again on the next backend.
  while (!drawsOn(tf, model)) {
    model.dispose();
    candidates = candidates.slice(candidates.indexOf(backend) + 1);
    if (candidates.length === 0) throw new Error('No TensorFlow.js backend runs this generator.');
    backend = await pickBackend(tf, candidates);
    model = await tf.loadLayersModel(modelUrl);
  }
  const meta = (model.getUserDefinedMetadata() as { ganmod?: Record<string, unknown> } | undefined)
    ?.ganmod;
  const latentDim = Number(meta?.latentDim ?? model.inputs[0]?.shape[1]);
  const numClasses = Number(meta?.numClasses ?? model.inputs[1]?.shape[1] ?? 0);
  const cuts = meta?.clusterThresholds;
  const clusterThresholds =
    Array.isArray(cuts) && cuts.length > 0 && cuts.every((t) => typeof t === 'number')
      ? cuts
      : null;
  const shape = (meta?.imageShape as number[] | undefined) ?? model.outputs[0]?.shape.slice(1);
  if (!Number.isInteger(latentDim) || latentDim <= 0 || shape?.length !== 3) {
    model.dispose();
    throw new Error('The export does not describe a generator (latent size or image shape).');
  }
  return {
    tf,
    model,
    backend,
    latentDim,
    numClasses,
    imageShape: shape as [number, number, number],
    named: await loadNamedDirections(modelUrl, latentDim).catch(() => null),
    clusterThresholds,
  };
}

/** Runs the generator on latent vectors (and one class for all of them) and returns NHWC pixels. */
async function generate(g: Generator, zs: Float32Array[], label: number): Promise<Float32Array> {
  const { tf, model, latentDim, numClasses } = g;
  const flat = new Float32Array(zs.length * latentDim);
  zs.forEach((z, i) => flat.set(z, i * latentDim));
  const out = tf.tidy(() => {
    const z = tf.tensor2d(flat, [zs.length, latentDim]);
    const inputs =
      numClasses > 0
        ? [z, tf.oneHot(tf.fill<Tf.Rank.R1>([zs.length], label, 'int32'), numClasses).toFloat()]
        : z;
    return model.predict(inputs) as Tf.Tensor;
  });
  try {
    return (await out.data()) as Float32Array;
  } finally {
    out.dispose();
  }
}

/** Paints a grid of images onto `canvas`, scaled up without smoothing. */
function paint(
  canvas: HTMLCanvasElement,
  data: Float32Array,
  n: number,
  shape: [number, number, number],
  cols: number,
): void {
  const { width, height, pixels } = toRgbaGrid(data, n, shape, cols);
  const source = document.createElement('canvas');
  source.width = width;
  source.height = height;
  source.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(pixels), width), 0, 0);
  canvas.width = width * SCALE;
  canvas.height = height * SCALE;
  const ctx = canvas.getContext('2d')!;
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(source, 0, 0, canvas.width, canvas.height);
  // Tests and people can tell a fresh drawing from the previous one.
  canvas.dataset.version = String(Number(canvas.dataset.version ?? 0) + 1);
}

/** The truncation trick's thresholds offered (Infinity: off, plain N(0, I) latents). */
const TRUNCATIONS = [Infinity, 2, 1.5, 1, 0.7, 0.5] as const;

function seedFrom(text: string): number {
  const n = Number(text);
  return Number.isFinite(n) ? Math.trunc(n) : 0;
}

/** Generator playground: samples from a seed, a class picker, latent directions, interpolation. */
export function Playground({ modelUrl, config }: { modelUrl: string; config: unknown }) {
  const [generator, setGenerator] = useState<Generator | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [runError, setRunError] = useState<string | null>(null);
  const [seed, setSeed] = useState('1');
  const [label, setLabel] = useState(0);
  const [truncation, setTruncation] = useState<number>(Infinity);
  /** Self-conditioned generators: the cluster every latent is moved into; -1 draws any. */
  const [cluster, setCluster] = useState(-1);
  const [directionSeed, setDirectionSeed] = useState('7');
  const [amounts, setAmounts] = useState<number[]>(() => new Array<number>(DIRECTIONS).fill(0));
  const [seedA, setSeedA] = useState('1');
  const [seedB, setSeedB] = useState('2');
  const [frames, setFrames] = useState(8);
  const [spherical, setSpherical] = useState(true);
  const [busy, setBusy] = useState(false);
  const [gridMs, setGridMs] = useState<number | null>(null);
  const grid = useRef<HTMLCanvasElement>(null);
  const strip = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    let cancelled = false;
    let loaded: Generator | null = null;
    loadGenerator(modelUrl).then(
      (g) => {
        loaded = g;
        if (cancelled) g.model.dispose();
        else setGenerator(g);
      },
      (err: unknown) => {
        if (!cancelled) setLoadError(err instanceof Error ? err.message : String(err));
      },
    );
    return () => {
      cancelled = true;
      loaded?.model.dispose();
    };
  }, [modelUrl]);

  const classNames = useMemo(
    () => (generator ? generatorClassNames(config, generator.numClasses) : []),
    [config, generator],
  );
  const directions = useMemo(
    () =>
      generator
        ? (generator.named?.map((d) => d.vector) ??
          orthonormalDirections(seedFrom(directionSeed), DIRECTIONS, generator.latentDim))
        : [],
    [generator, directionSeed],
  );
  const named = generator?.named ?? null;

  // One drawing at a time, and per canvas only the newest request waits: a slider dragged fast
  // skips the positions it passed instead of queueing a drawing for each.
  const waiting = useRef(new Map<string, () => Promise<void>>());
  const running = useRef(false);
  const draw = useCallback((canvas: string, job: () => Promise<void>) => {
    waiting.current.set(canvas, job);
    setBusy(true);
    if (running.current) return;
    running.current = true;
    void (async () => {
      for (let next = waiting.current.entries().next(); !next.done;) {
        const [key, run] = next.value;
        waiting.current.delete(key);
        try {
          await run();
          setRunError(null);
        } catch (err) {
          setRunError(err instanceof Error ? err.message : String(err));
        }
        next = waiting.current.entries().next();
      }
      running.current = false;
      setBusy(false);
    })();
  }, []);

  useEffect(() => {
    if (!generator) return;
    const s = seedFrom(seed);
    draw('samples', async () => {
      const zs = Array.from({ length: GRID }, (_, i) =>
        inCluster(
          moveAlong(latentVector(s, i, generator.latentDim, truncation), directions, amounts),
          generator.clusterThresholds,
          cluster,
        ),
      );
      const started = performance.now();
      const data = await generate(generator, zs, label);
      if (grid.current) paint(grid.current, data, GRID, generator.imageShape, GRID_COLS);
      setGridMs(performance.now() - started);
    });
  }, [generator, seed, label, truncation, cluster, directions, amounts, draw]);

  useEffect(() => {
    if (!generator) return;
    draw('interpolation', async () => {
      const [a, b] = [seedA, seedB].map((text) =>
        inCluster(
          latentVector(seedFrom(text), 0, generator.latentDim, truncation),
          generator.clusterThresholds,
          cluster,
        ),
      ) as [Float32Array, Float32Array];
      const zs = interpolate(a, b, frames, spherical ? 'spherical' : 'linear');
      const data = await generate(generator, zs, label);
      if (strip.current) paint(strip.current, data, frames, generator.imageShape, frames);
    });
  }, [generator, seedA, seedB, frames, spherical, label, truncation, cluster, draw]);

  if (loadError)
    return (
      <Alert tone="error" data-testid="playground-error">
        Could not load the generator: {loadError}
      </Alert>
    );

  return (
    <div
      className="space-y-4"
      data-testid="playground"
      data-state={generator ? (busy ? 'drawing' : 'ready') : 'loading'}
      data-backend={generator?.backend ?? ''}
    >
      {generator ? (
        <p className="text-xs text-muted-foreground" data-testid="playground-info">
          Latent size {generator.latentDim} · {generator.imageShape.join('×')} images ·{' '}
          {generator.numClasses > 0
            ? `conditional on ${generator.numClasses} classes`
            : generator.clusterThresholds
              ? `self-conditioned on ${generator.clusterThresholds.length + 1} clusters`
              : 'unconditional'}{' '}
          · TensorFlow.js {generator.backend} backend
          {gridMs === null ? null : (
            <span data-testid="playground-timing" data-ms={Math.round(gridMs)}>
              {' '}
              · {GRID} samples in {Math.round(gridMs)} ms
            </span>
          )}
        </p>
      ) : (
        <p className="text-sm text-muted-foreground">Loading the generator…</p>
      )}
      {runError ? <Alert tone="error">{runError}</Alert> : null}

      <div className="grid gap-4 xl:grid-cols-[minmax(0,1fr)_22rem]">
        <Card>
          <CardHeader>
            <CardTitle>Samples</CardTitle>
            <CardDescription>
              {GRID} images from one seed: the same seed always draws the same images.
            </CardDescription>
          </CardHeader>
          <CardContent className="space-y-3">
            <div className="flex flex-wrap items-end gap-3">
              <SeedField label="Seed" value={seed} onChange={setSeed} />
              <Button
                variant="outline"
                onClick={() => setSeed(String(Math.floor(Math.random() * 1_000_000)))}
              >
                New samples
              </Button>
              {generator && generator.numClasses > 0 ? (
                <label className="space-y-1 text-xs">
                  <span>Class</span>
                  <Select
                    aria-label="Class"
                    className="w-48"
                    value={label}
                    onChange={(e) => setLabel(Number(e.target.value))}
                  >
                    {classNames.map((name, i) => (
                      <option key={i} value={i}>
                        {name}
                      </option>
                    ))}
                  </Select>
                </label>
              ) : null}
              {generator?.clusterThresholds ? (
                <label
                  className="space-y-1 text-xs"
                  title="The generator was trained on clusters of its images (self-conditioning) and reads the cluster off the first latent value: pick one to draw only from it."
                >
                  <span>Cluster</span>
                  <Select
                    aria-label="Cluster"
                    className="w-40"
                    value={String(cluster)}
                    onChange={(e) => setCluster(Number(e.target.value))}
                  >
                    <option value="-1">any</option>
                    {clusterSharesOf(generator.clusterThresholds).map((share, c) => (
                      <option key={c} value={String(c)}>
                        {`${c + 1} · ${(share * 100).toFixed(1)}%`}
                      </option>
                    ))}
                  </Select>
                </label>
              ) : null}
              <label
                className="space-y-1 text-xs"
                title="The truncation trick: every latent value is kept within ± this threshold. Smaller draws more typical, cleaner images, with less variety."
              >
                <span>Truncation</span>
                <Select
                  aria-label="Truncation"
                  className="w-32"
                  value={String(truncation)}
                  onChange={(e) => setTruncation(Number(e.target.value))}
                >
                  {TRUNCATIONS.map((t) => (
                    <option key={t} value={String(t)}>
                      {t === Infinity ? 'off' : `± ${t}`}
                    </option>
                  ))}
                </Select>
              </label>
            </div>
            <canvas
              ref={grid}
              data-testid="playground-samples"
              className="max-w-full rounded border border-border [image-rendering:pixelated]"
            />
          </CardContent>
        </Card>

        <Card>
          <CardHeader>
            <CardTitle>Latent directions</CardTitle>
            <CardDescription data-testid="directions-kind" data-kind={named ? 'named' : 'random'}>
              {named
                ? 'The principal directions of the first layer (GANSpace), each named by the image statistic it changes most; each slider moves every sample along one.'
                : `${DIRECTIONS} random orthonormal directions, drawn from a seed (this export has no named directions); each slider moves every sample along one of them.`}
            </CardDescription>
          </CardHeader>
          <CardContent className="space-y-3">
            {named ? null : (
              <SeedField
                label="Direction seed"
                value={directionSeed}
                onChange={setDirectionSeed}
                block
              />
            )}
            {amounts.map((amount, k) => (
              <label key={k} className="block space-y-1 text-xs">
                <span className="flex justify-between">
                  <span data-testid="direction-name">
                    {named?.[k]
                      ? `${named[k].name} · ${(named[k].variance * 100).toFixed(0)}% of variance`
                      : `Direction ${k + 1} (random)`}
                  </span>
                  <span className="tabular-nums">{amount.toFixed(1)}</span>
                </span>
                <input
                  aria-label={`Direction ${k + 1}`}
                  className="w-full accent-primary"
                  type="range"
                  min={-3}
                  max={3}
                  step={0.1}
                  value={amount}
                  onChange={(e) =>
                    setAmounts((prev) => prev.map((v, i) => (i === k ? Number(e.target.value) : v)))
                  }
                />
              </label>
            ))}
            <Button
              variant="outline"
              size="sm"
              onClick={() => setAmounts(new Array<number>(DIRECTIONS).fill(0))}
            >
              Reset directions
            </Button>
          </CardContent>
        </Card>
      </div>

      <Card>
        <CardHeader>
          <CardTitle>Interpolation</CardTitle>
          <CardDescription>
            From the first sample of seed A to the first sample of seed B
            {generator && generator.numClasses > 0 ? ', in the chosen class' : ''}.
          </CardDescription>
        </CardHeader>
        <CardContent className="space-y-3">
          <div className="flex flex-wrap items-end gap-3">
            <SeedField label="Seed A" value={seedA} onChange={setSeedA} />
            <SeedField label="Seed B" value={seedB} onChange={setSeedB} />
            <label className="space-y-1 text-xs">
              <span>Frames</span>
              <Select
                aria-label="Frames"
                className="w-24"
                value={frames}
                onChange={(e) => setFrames(Number(e.target.value))}
              >
                {[4, 6, 8, 10, 12, 16].map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </Select>
            </label>
            <label className="flex h-9 items-center gap-1.5 text-xs">
              <input
                type="checkbox"
                checked={spherical}
                onChange={(e) => setSpherical(e.target.checked)}
              />
              Spherical (slerp)
            </label>
          </div>
          <canvas
            ref={strip}
            data-testid="playground-interpolation"
            className="max-w-full rounded border border-border [image-rendering:pixelated]"
          />
        </CardContent>
      </Card>
    </div>
  );
}

/** A labelled number input for a seed (the playground has four). */
function SeedField({
  label,
  value,
  onChange,
  block = false,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  /** Full width on its own line instead of a fixed-width field in a row. */
  block?: boolean;
}) {
  return (
    <label className={block ? 'block space-y-1 text-xs' : 'space-y-1 text-xs'}>
      <span>{label}</span>
      <Input
        aria-label={label}
        {...(block ? {} : { className: 'w-28' })}
        type="number"
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
    </label>
  );
}
