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

/**
 * Tracks chunks handed out and not yet acknowledged, per partition, in order. Acknowledging
 * chunk `seq` acknowledges every chunk up to it (the engine acknowledges in order and may skip
 * positions a later one covers); what may be committed is, per partition, the end of the longest
 * acknowledged prefix, never an offset beyond a chunk still in flight.
 */
export class AckLedger {
  readonly #pending = new Map<string, Array<{ seq: number; offset: bigint }>>();
  readonly #committable = new Map<string, CommitPoint>();
  #inFlight = 0;

  /** Chunks handed out and not yet acknowledged. */
  get inFlight(): number {
    return this.#inFlight;
  }

  delivered(position: KafkaPosition): void {
    const key = `${position.topic}:${position.partition}`;
    let queue = this.#pending.get(key);
    if (queue === undefined) this.#pending.set(key, (queue = []));
    queue.push({ seq: position.seq, offset: BigInt(position.offset) });
    this.#inFlight += 1;
  }

  /** Marks every chunk up to `seq` acknowledged; returns how many were newly acknowledged. */
  acknowledge(seq: number): number {
    let count = 0;
    for (const [key, queue] of this.#pending) {
      let last: bigint | undefined;
      while (queue.length > 0 && (queue[0] as { seq: number }).seq <= seq) {
        last = (queue.shift() as { offset: bigint }).offset;
        count += 1;
      }
      if (last !== undefined) {
        const [topic, partition] = splitKey(key);
        this.#committable.set(key, { topic, partition, offset: last });
      }
    }
    this.#inFlight -= count;
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
    const dropped = this.#pending.get(key)?.length ?? 0;
    this.#pending.delete(key);
    this.#committable.delete(key);
    this.#inFlight -= dropped;
    return dropped;
  }
}

function splitKey(key: string): [string, number] {
  const at = key.lastIndexOf(':');
  return [key.slice(0, at), Number(key.slice(at + 1))];
}
