/**
 * Runs once when a server starts. Importing the env module validates every variable: a missing or bad one
 * stops the server at start with a message naming it, not at the first request. On Node it also starts
 * the sweep that delivers revocations Make has not confirmed yet.
 * @see https://nextjs.org/docs/app/guides/instrumentation
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  try {
    await import("@/lib/env");
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
  const { startRevocationSweep } = await import("@/lib/tokens/revocation-sweep");
  startRevocationSweep();
}
