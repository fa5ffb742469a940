/** What the runtime needs of a source's iterator: the plugin's own, or one reading ahead. */
export interface BatchIterator<T> {
  next(): Promise<IteratorResult<T>>;
  return?(): Promise<unknown>;
}

/**
 * A source's iterator that starts reading its next batch once it has handed one over.
 *
 * In a worker or a child process, the reply carrying a batch travels to the host, the host passes
 * the chunk on and asks for the next one, and that request travels back. The plugin would sit idle
 * for that whole round trip, and the source is usually the stage everything else waits for.
 *
 * The read ahead starts on `setImmediate`, not at once: an async generator runs synchronously up
 * to its next `await` when asked, so starting it at once would parse the next chunk before the
 * reply carrying this one is even posted. So a source holds at most one batch more than the host
 * asked for. A batch read ahead and never asked for (the run stopped) is dropped unacknowledged,
 * like any batch read after a stop: the source reads it again on its next run. An error it throws
 * reaches the host with the next request, the one that would have read it.
 *
 * Not used inline: there the chunk does not leave the thread, so there is no round trip to fill,
 * and a plugin may legally reuse a chunk's memory once the next read starts.
 */
export class ReadAheadIterator<T> implements BatchIterator<T> {
  readonly #iterator: AsyncIterator<T>;
  #ahead: Promise<IteratorResult<T>> | undefined;
  #scheduled: ReturnType<typeof setImmediate> | undefined;
  #ended = false;

  constructor(iterator: AsyncIterator<T>) {
    this.#iterator = iterator;
  }

  async next(): Promise<IteratorResult<T>> {
    this.#cancelScheduled();
    const step = this.#ahead ?? this.#iterator.next();
    this.#ahead = undefined;
    const result = await step;
    if (result.done !== true && !this.#ended) this.#scheduled = setImmediate(() => this.#readAhead());
    return result;
  }

  /** Ends the plugin's iterator once a read already under way has finished (its outcome unused). */
  async return(): Promise<void> {
    this.#ended = true;
    this.#cancelScheduled();
    const ahead = this.#ahead;
    this.#ahead = undefined;
    await ahead?.catch(() => undefined);
    await this.#iterator.return?.();
  }

  #readAhead(): void {
    this.#scheduled = undefined;
    const ahead = this.#iterator.next();
    // Observed now so that a failure is not an unhandled rejection while nobody has asked yet.
    ahead.catch(() => undefined);
    this.#ahead = ahead;
  }

  #cancelScheduled(): void {
    if (this.#scheduled !== undefined) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
  }
}
