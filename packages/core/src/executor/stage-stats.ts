/** Per-stage counters the executor keeps on the main thread, so they include transfer costs. */
export class StageStats {
  rowsIn = 0;
  rowsOut = 0;
  deadLettered = 0;
  skipped = 0;
  peakHeapBytes = 0;
  readonly #latencies: number[] = [];
  #latencyCursor = 0;
  readonly #callListeners = new Set<(ms: number) => void>();

  constructor(readonly name: string, readonly type: string, readonly kind: 'source' | 'transform' | 'sink', readonly maxSamples = 4096) {}

  /** Records the time one call took; keeps a bounded ring of samples for percentiles. */
  recordCall(ms: number): void {
    if (this.#latencies.length < this.maxSamples) this.#latencies.push(ms);
    else {
      this.#latencies[this.#latencyCursor] = ms;
      this.#latencyCursor = (this.#latencyCursor + 1) % this.maxSamples;
    }
    for (const listener of this.#callListeners) listener(ms);
  }

  /**
   * Calls `listener` with the duration of every call recorded from now on (the ring above keeps
   * only a sample; a metrics histogram needs each value). Returns the function that removes it.
   */
  onCall(listener: (ms: number) => void): () => void {
    this.#callListeners.add(listener);
    return () => this.#callListeners.delete(listener);
  }

  /** The call-time percentiles asked for (0 each before any call), from one sort of the samples. */
  percentiles(...ps: number[]): number[] {
    if (this.#latencies.length === 0) return ps.map(() => 0);
    const sorted = [...this.#latencies].sort((a, b) => a - b);
    return ps.map((p) => sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1))] as number);
  }
}
