/**
 * Decides when a source position may be acknowledged: only once every sink that the source's
 * rows can reach has durably flushed everything up to it.
 *
 * Each source numbers its chunks 1, 2, 3… (`seq`). Every path through the pipeline keeps order,
 * so a sink that has written seq N of a source has written all earlier ones too; a sink therefore
 * only reports the highest seq it has flushed per source, and the acknowledgeable seq of a source
 * is the minimum of those over its sinks.
 */
export class AckTracker {
  readonly #pending = new Map<string, Map<number, unknown>>();
  readonly #flushed = new Map<string, Map<string, number>>();
  readonly #acked = new Map<string, number>();

  constructor(sinksOfSource: ReadonlyMap<string, readonly string[]>) {
    for (const [source, sinks] of sinksOfSource) {
      this.#pending.set(source, new Map());
      this.#flushed.set(source, new Map(sinks.map((sink) => [sink, 0])));
      this.#acked.set(source, 0);
    }
  }

  /** Remembers the position a source gave with chunk `seq`. */
  emitted(source: string, seq: number, position: unknown): void {
    this.#pending.get(source)?.set(seq, position);
  }

  /**
   * Records that `sink` has flushed every chunk of `source` up to `seq`, and returns the position
   * that may now be acknowledged to the source, or undefined when nothing new is acknowledgeable.
   */
  flushed(sink: string, source: string, seq: number): { seq: number; position: unknown } | undefined {
    const perSink = this.#flushed.get(source);
    if (perSink === undefined || !perSink.has(sink)) return undefined;
    if (seq > (perSink.get(sink) ?? 0)) perSink.set(sink, seq);
    const ackable = Math.min(...perSink.values());
    const acked = this.#acked.get(source) ?? 0;
    if (ackable <= acked) return undefined;

    const pending = this.#pending.get(source) as Map<number, unknown>;
    let position: unknown;
    let found = false;
    // Positions are cumulative (an offset, a byte position): the newest one covers the older ones.
    for (let s = acked + 1; s <= ackable; s++) {
      if (pending.has(s)) {
        position = pending.get(s);
        found = true;
        pending.delete(s);
      }
    }
    this.#acked.set(source, ackable);
    return found ? { seq: ackable, position } : undefined;
  }
}
