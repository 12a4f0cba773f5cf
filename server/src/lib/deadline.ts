/**
 * Waits for `promise` at most `ms` milliseconds; after that rejects with `onTimeout()`'s error. The work itself is
 * not cancelled (pass an AbortSignal to it for that): the deadline bounds how long a caller waits, for instance a
 * person behind the deal card or a readiness probe. The timer never outlives the race.
 */
export async function withDeadline<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(onTimeout()), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
