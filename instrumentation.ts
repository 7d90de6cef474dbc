/**
 * Runs once when a server starts. The Node.js part lives in its own module, so the Edge build of this file
 * never sees Node-only APIs (Next.js compiles instrumentation for both runtimes).
 * @see https://nextjs.org/docs/app/guides/instrumentation#importing-runtime-specific-code
 */
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { startServer } = await import("@/lib/server-start");
    await startServer();
  }
}
