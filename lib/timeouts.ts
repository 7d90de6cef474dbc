/**
 * Waiting, and telling a request that ran out of time from other failures: `fetch` with
 * `AbortSignal.timeout()` throws a TimeoutError, an aborted one an AbortError.
 */

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** True for an error (or an error-shaped link of a cause chain) that a time limit or an abort raised. */
export const isTimeout = (error: unknown): boolean => {
  const name = error && typeof error === "object" ? (error as { name?: unknown }).name : undefined;
  return name === "TimeoutError" || name === "AbortError";
};
