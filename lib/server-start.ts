/**
 * What a Node.js server does once at start (called from instrumentation.ts). Importing the env module
 * validates every variable: a missing or bad one stops the server at start with a message naming it, not
 * at the first request (as does test-only tuning on a production deployment, lib/test-tuning.ts). Then
 * tracing is registered when an OTLP endpoint is configured (or Vercel's collector is there), and, in a
 * long-running server, the sweep that delivers revocations Make has not confirmed yet starts; on Vercel,
 * whose instances are suspended between requests, Vercel Cron does that.
 * First of all, it works around a memory leak of Next.js (lib/abort-reason-stacks.ts).
 * @see https://nextjs.org/docs/app/guides/open-telemetry#using-vercelotel
 */
import { releaseAbortReasonStacks } from "@/lib/abort-reason-stacks";

export async function startServer() {
  releaseAbortReasonStacks();
  let env: typeof import("@/lib/env").env;
  try {
    const loaded = await import("@/lib/env");
    env = loaded.env;
    await import("@/lib/test-tuning");
    // Auth.js reads AUTH_URL itself (sign-in actions, the route): on Vercel it is the deployment's own URL,
    // so no request header ever names this deployment's origin.
    const url = loaded.deploymentUrl();
    if (url && !process.env.AUTH_URL) process.env.AUTH_URL = url;
  } catch (error) {
    const { log, errorMessage } = await import("@/lib/log");
    log.error(errorMessage(error));
    process.exit(1);
  }
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT || process.env.VERCEL_OTEL_ENDPOINTS) {
    const [{ registerOTel }, { QueryStringRedaction }] = await Promise.all([
      import("@vercel/otel"),
      import("@/lib/query-strings"),
    ]);
    registerOTel({
      serviceName: env.OTEL_SERVICE_NAME,
      spanProcessors: [new QueryStringRedaction(), "auto"],
    });
  }
  if (process.env.VERCEL === "1") return;
  const { startRevocationSweep } = await import("@/lib/make/ops");
  startRevocationSweep();
}
