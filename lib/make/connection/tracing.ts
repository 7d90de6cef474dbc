/**
 * OpenTelemetry spans of the Make connection: sign-in, refresh (lease, grant, write), API calls and
 * revocation, sent to whatever instrumentation.ts registered (non-recording, nearly free, when nothing is).
 * Attributes name accounts, zones and organizations, never a token. Edit it to change how spans are made.
 * @see https://opentelemetry.io/docs/languages/js/instrumentation/#create-spans
 */
import "server-only";
import { SpanStatusCode, trace, type Attributes, type Span } from "@opentelemetry/api";

const tracer = () => trace.getTracer("make-connection");

/** Runs `work` inside the span `name`; a thrown error marks the span failed and is rethrown. */
export function traced<T>(
  name: string,
  attributes: Attributes,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  return tracer().startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : "error" });
      if (error instanceof Error && "reason" in error)
        span.setAttribute("make.failure", String(error.reason));
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Adds attributes to the span the current code runs in, if any (e.g. how the refresh lease went). */
export const annotateSpan = (attributes: Attributes) => trace.getActiveSpan()?.setAttributes(attributes);
