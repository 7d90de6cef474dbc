/**
 * Runs once when a server starts (lib/server-start.ts, its own module so the Edge build of this file never
 * sees Node-only APIs), and logs every error Next.js catches while serving a request.
 * @see https://nextjs.org/docs/app/guides/instrumentation#importing-runtime-specific-code
 * @see https://nextjs.org/docs/app/api-reference/file-conventions/instrumentation#onrequesterror-optional
 */
import type { Instrumentation } from "next";

export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { startServer } = await import("@/lib/server-start");
    await startServer();
  }
}

export const onRequestError: Instrumentation.onRequestError = async (error, request, context) => {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { log, errorMessage } = await import("@/lib/log");
  // The path only: a query string can carry an OAuth code or state.
  log.error("request failed", {
    method: request.method,
    path: request.path.split("?")[0],
    route: context.routePath,
    routeType: context.routeType,
    digest: (error as { digest?: string } | null)?.digest,
    error: errorMessage(error),
  });
};
