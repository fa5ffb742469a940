/**
 * Runs async calls one after another. A stage with several inputs (fan-in) reads them
 * concurrently, but a stateful plugin instance must see one call at a time.
 */
export function serial(): <T>(call: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(call: () => Promise<T>): Promise<T> => {
    const result = tail.then(call, call);
    tail = result.catch(() => undefined);
    return result;
  };
}
