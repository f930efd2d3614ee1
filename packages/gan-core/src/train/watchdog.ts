/** Detects diverged runs: a non-finite loss, or a discriminator that has won outright for too long. */
import type { TrainConfig } from '../config.js';

export class DivergenceWatchdog {
  private collapsedFor = 0;

  /**
   * @param detectCollapse false for wgan-gp, whose critic values are unbounded, so a near-zero
   *   D loss says nothing about who is winning.
   */
  constructor(
    private readonly settings: TrainConfig['watchdog'],
    private readonly detectCollapse = true,
  ) {}

  /** Returns the reason to stop, or null to keep training. */
  check(step: number, losses: Readonly<Record<string, number | undefined>>): string | null {
    if (!this.settings.enabled) return null;
    for (const [name, value] of Object.entries(losses)) {
      if (value !== undefined && !Number.isFinite(value))
        return `loss ${name} is ${value} at step ${step}`;
    }
    const { d, g } = losses;
    const collapsed =
      this.detectCollapse &&
      d !== undefined &&
      g !== undefined &&
      d < this.settings.collapseDLoss &&
      g > this.settings.collapseGLoss;
    this.collapsedFor = collapsed ? this.collapsedFor + 1 : 0;
    if (this.collapsedFor >= this.settings.collapsePatience) {
      return (
        `discriminator collapse: D loss < ${this.settings.collapseDLoss} with G loss > ` +
        `${this.settings.collapseGLoss} for ${this.collapsedFor} consecutive steps (step ${step})`
      );
    }
    return null;
  }
}
