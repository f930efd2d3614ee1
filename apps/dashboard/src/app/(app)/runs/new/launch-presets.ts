/**
 * The presets the launch form offers: gan-core's named TRAINING_PRESETS (the same names
 * `ganmod-trainer train --preset` accepts), and the one a new run starts from.
 */
import { DEFAULT_TRAINING_PRESET, TRAINING_PRESETS, trainingPreset } from '@ganmod/gan-core/config';

/** One entry of the form's preset select. */
export interface PresetOption {
  name: string;
  description: string;
}

/** The select's entries, in gan-core's order. */
export const presetOptions: PresetOption[] = TRAINING_PRESETS.map(({ name, description }) => ({
  name,
  description,
}));

/** The preset a new run starts from (not the schema defaults: see gan-core's README). */
export const defaultPresetName: string = DEFAULT_TRAINING_PRESET;

/** A fresh, mutable copy of a preset's config for the form to edit. */
export function presetConfig(name: string): Record<string, unknown> {
  return structuredClone(trainingPreset(name).config);
}
