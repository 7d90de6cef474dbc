/**
 * A workaround for a memory leak in Next.js 16: without it, a long-running server keeps every request it
 * has served. How the leak works, and when to remove this file: docs/architecture.md ("A workaround for a
 * memory leak").
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
