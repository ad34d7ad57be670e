/** Resolves after `ms`, or early (to false) when the signal aborts; true when the time passed. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Waits for `work` unless the signal aborts first. An aborted wait does not cancel the work;
 * the caller only stops waiting for it (e.g. a send that kafkajs keeps retrying at shutdown).
 */
export function untilAborted<T>(
  work: Promise<T>,
  signal: AbortSignal,
): Promise<{ done: true; value: T } | { done: false }> {
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.resolve({ done: false });
  }
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      work.catch(() => undefined);
      resolve({ done: false });
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve({ done: true, value });
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
