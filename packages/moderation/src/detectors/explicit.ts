/** Explicit-image detector on top of the NSFW classifier. */
import { loadNsfwClassifier, NSFW_CLASSES, type NsfwProbabilities } from '../nsfw/classifier.js';
import type { NsfwModelName } from '../nsfw/convert.js';
import { clampScore, type DetectorResult } from '../types.js';
import type { Detector } from './detector.js';

/** Options of {@link createExplicitDetector}. */
export interface ExplicitDetectorOptions {
  model?: NsfwModelName;
  batchSize?: number;
}

/**
 * Explicitness score: P(Porn) + P(Hentai) + 0.5 * P(Sexy). Porn and Hentai are explicit; Sexy
 * (swimwear, lingerie) is borderline, so it counts half: alone it tops out at 0.5, under the default
 * REVIEW threshold (0.6), but it tips an image with some explicit mass over.
 */
export function explicitScore(p: NsfwProbabilities): number {
  return clampScore(p.Porn + p.Hentai + 0.5 * p.Sexy);
}

/** Detector returning the explicitness score with all five class probabilities. */
export function createExplicitDetector(options: ExplicitDetectorOptions = {}): Detector {
  const modelName = options.model ?? 'mobilenet_v2';
  return {
    name: 'nsfw-explicit',
    category: 'explicit',
    reads: 'image',
    async detect(inputs) {
      const classifier = await loadNsfwClassifier(modelName);
      const probs = await classifier.classify(
        inputs.map((i) => i.image!),
        options.batchSize,
      );
      return probs.map((p): DetectorResult => {
        const top = [...NSFW_CLASSES].sort((a, b) => p[b] - p[a]);
        const score = explicitScore(p);
        const classes = top.map((c) => `${c} ${(p[c] * 100).toFixed(1)}%`).join(', ');
        return {
          detector: 'nsfw-explicit',
          category: 'explicit',
          score,
          label: top[0]!,
          reason: `NSFW ${modelName}: explicit score ${score.toFixed(2)} = Porn + Hentai + 0.5*Sexy; classes ${classes}`,
          details: { model: modelName, probabilities: p },
        };
      });
    },
  };
}
