/** Per-stage counters the executor keeps on the main thread, so they include transfer costs. */
export class StageStats {
  rowsIn = 0;
  rowsOut = 0;
  chunksIn = 0;
  deadLettered = 0;
  skipped = 0;
  peakHeapBytes = 0;
  firstChunkAt: number | undefined;
  lastChunkAt: number | undefined;
  readonly #latencies: number[] = [];
  #latencyCursor = 0;

  constructor(readonly name: string, readonly type: string, readonly kind: 'source' | 'transform' | 'sink', readonly maxSamples = 4096) {}

  /** Records the time one call took; keeps a bounded ring of samples for percentiles. */
  recordCall(ms: number): void {
    if (this.#latencies.length < this.maxSamples) this.#latencies.push(ms);
    else {
      this.#latencies[this.#latencyCursor] = ms;
      this.#latencyCursor = (this.#latencyCursor + 1) % this.maxSamples;
    }
    const now = performance.now();
    this.firstChunkAt ??= now - ms;
    this.lastChunkAt = now;
  }

  percentile(p: number): number {
    if (this.#latencies.length === 0) return 0;
    const sorted = [...this.#latencies].sort((a, b) => a - b);
    const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
    return sorted[Math.max(0, index)] as number;
  }
}
