/**
 * What a Node.js server does once at start (called from instrumentation.ts): the memory-leak workaround, the
 * environment validated, tracing registered when a collector is configured, and the revocation sweep in a
 * long-running server. Why each: docs/architecture.md, "Observability".
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
