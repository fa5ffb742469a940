/** Where a chunk of a kafka-source ends: its partition and the offset after its last record. */
export interface KafkaPosition {
  /** Chunk number in this source's read order; `ack` covers every chunk up to it. */
  readonly seq: number;
  readonly topic: string;
  readonly partition: number;
  /** The next offset to read in that partition: what a commit after this chunk stores. */
  readonly offset: string;
}

/** A partition's offset to commit. */
export interface CommitPoint {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
}

/** One partition's chunks handed out and not yet acknowledged, oldest first. */
interface PartitionQueue {
  readonly topic: string;
  readonly partition: number;
  readonly chunks: Array<{ seq: number; offset: bigint }>;
}

/**
 * Tracks chunks handed out and not yet acknowledged, per partition, in order. Acknowledging
 * chunk `seq` acknowledges every chunk up to it (the engine acknowledges in order and may skip
 * positions a later one covers); what may be committed is, per partition, the end of the longest
 * acknowledged prefix, never an offset beyond a chunk still in flight.
 */
export class AckLedger {
  readonly #pending = new Map<string, PartitionQueue>();
  readonly #committable = new Map<string, CommitPoint>();

  /** Chunks handed out and not yet acknowledged. */
  get inFlight(): number {
    let count = 0;
    for (const queue of this.#pending.values()) count += queue.chunks.length;
    return count;
  }

  delivered(position: KafkaPosition): void {
    const key = `${position.topic}:${position.partition}`;
    let queue = this.#pending.get(key);
    if (queue === undefined) this.#pending.set(key, (queue = { topic: position.topic, partition: position.partition, chunks: [] }));
    queue.chunks.push({ seq: position.seq, offset: BigInt(position.offset) });
  }

  /** Marks every chunk up to `seq` acknowledged; returns how many were newly acknowledged. */
  acknowledge(seq: number): number {
    let count = 0;
    for (const [key, { topic, partition, chunks }] of this.#pending) {
      let taken = 0;
      while (taken < chunks.length && (chunks[taken] as { seq: number }).seq <= seq) taken += 1;
      if (taken === 0) continue;
      const { offset } = chunks[taken - 1] as { offset: bigint };
      chunks.splice(0, taken);
      this.#committable.set(key, { topic, partition, offset });
      count += taken;
    }
    return count;
  }

  /** Commit points gathered since the last call (at most one per partition). */
  takeCommits(): CommitPoint[] {
    const points = [...this.#committable.values()];
    this.#committable.clear();
    return points;
  }

  /** Puts back points whose commit failed, unless a newer point arrived meanwhile. */
  restoreCommits(points: readonly CommitPoint[]): void {
    for (const point of points) {
      const key = `${point.topic}:${point.partition}`;
      if (!this.#committable.has(key)) this.#committable.set(key, point);
    }
  }

  /**
   * Forgets a partition this process no longer owns: its in-flight chunks will be read again
   * by the new owner, so committing them later could move the new owner's offset backwards.
   */
  forget(topic: string, partition: number): number {
    const key = `${topic}:${partition}`;
    const dropped = this.#pending.get(key)?.chunks.length ?? 0;
    this.#pending.delete(key);
    this.#committable.delete(key);
    return dropped;
  }
}
