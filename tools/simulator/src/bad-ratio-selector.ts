/**
 * Decides which payloads are deliberately invalid. Deterministic error diffusion: after
 * n payloads exactly floor(n × ratio) were bad, so the share is exact over any run
 * instead of drifting with chance, and the bad ones are spread evenly.
 */
export class BadRatioSelector {
  private count = 0;

  constructor(readonly ratio: number) {
    if (!(ratio >= 0 && ratio <= 1))
      throw new RangeError(`ratio must be within 0..1, got ${ratio}`);
  }

  /** Whether the next payload should be invalid. */
  next(): boolean {
    const before = Math.floor(this.count * this.ratio + 1e-9);
    this.count += 1;
    const after = Math.floor(this.count * this.ratio + 1e-9);
    return after > before;
  }
}
