/**
 * What a Node.js server does once at start (called from instrumentation.ts). Importing the env module
 * validates every variable: a missing or bad one stops the server at start with a message naming it, not
 * at the first request. Then, in a long-running server, it starts the sweep that delivers revocations Make
 * has not confirmed yet; on Vercel, whose instances are suspended between requests, Vercel Cron does that.
 */
export async function startServer() {
  try {
    const { deploymentUrl } = await import("@/lib/env");
    // Auth.js reads AUTH_URL itself (sign-in actions, the route): on Vercel it is the deployment's own URL,
    // so no request header ever names this deployment's origin.
    const url = deploymentUrl();
    if (url && !process.env.AUTH_URL) process.env.AUTH_URL = url;
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
  if (process.env.VERCEL === "1") return;
  const { startRevocationSweep } = await import("@/lib/make");
  startRevocationSweep();
}
