/**
 * A workaround for a memory leak in Next.js 16 (through 16.4.6, the latest release): without it, a
 * long-running server keeps every request it has served.
 *
 * At the end of each render React aborts the render's cache signal with an `Error` ("This render
 * completed successfully…"), from inside a `setImmediate` callback. Until an error's `.stack` is read, V8
 * keeps its stack as structured frames, and a frame holds its receiver: here the `Immediate`. Each
 * `Immediate` carries the AsyncLocalStorage store of the request it ran for, and points at its neighbours
 * in the immediate queue, which belong to other requests. One such error reachable from anything
 * long-lived (a pooled socket, a timer of Node's fetch) then keeps a growing web of finished requests:
 * measured with `next start`, 871 responses still alive after 4,000 /dashboard views at 16 at a time, 23
 * with this in place. Reading `.stack` when a controller is aborted turns the frames into a string, and
 * the error no longer holds anything.
 *
 * Remove this file (and its call in lib/server-start.ts) once Next.js ships a React that creates those
 * errors without a stack; `tests/e2e/memory-retention.test.ts` says whether it is still needed.
 * @see https://github.com/vercel/next.js/issues/84648
 */
export function releaseAbortReasonStacks(): void {
  const prototype = AbortController.prototype as AbortController & { [released]?: true };
  if (prototype[released]) return;
  const abort = prototype.abort;
  prototype.abort = function abortWithReleasedStack(this: AbortController, reason?: unknown) {
    if (reason instanceof Error) void reason.stack;
    return abort.call(this, reason);
  };
  prototype[released] = true;
}

const released = Symbol.for("make-oidc-starter.abort-reason-stacks");
