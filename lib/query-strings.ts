/**
 * Keeps query strings out of what leaves the process for an operator: trace attributes (Next.js puts the
 * request's `http.target`, query and all, on its root span, and a callback's query is Make's code and the
 * sealed state) and log fields. Registered first among the span processors, before any exporter sees a span.
 * Why and what is left: docs/security.md, "The fourth security pass".
 */
import type { Attributes } from "@opentelemetry/api";
import type { ReadableSpan, SpanProcessor } from "@opentelemetry/sdk-trace-base";

// A URL (scheme://…) or a path (/…) followed by a query or a fragment: the part from `?` or `#` goes.
const URL_WITH_QUERY = /((?:[a-z][a-z0-9+.-]*:\/\/|(?<![^\s"'(=,[])\/)[^\s?#"'<>]*)[?#][^\s"'<>)\]]*/gi;
const QUERY_ATTRIBUTES = new Set(["url.query", "url.fragment", "http.query"]);

/** `text` with the query string and fragment of every URL or path in it removed. */
export const withoutQueryStrings = (text: string): string => text.replace(URL_WITH_QUERY, "$1");

function scrub(attributes: Attributes) {
  for (const [key, value] of Object.entries(attributes)) {
    if (QUERY_ATTRIBUTES.has(key)) delete attributes[key];
    else if (typeof value === "string") attributes[key] = withoutQueryStrings(value);
    else if (Array.isArray(value))
      attributes[key] = value.map((item) => (typeof item === "string" ? withoutQueryStrings(item) : item)) as
        string[] | number[];
  }
}

/** The span processor: rewrites each ended span in place, so the processors after it export it clean. */
export class QueryStringRedaction implements SpanProcessor {
  onStart() {}
  onEnd(span: ReadableSpan) {
    (span as { name: string }).name = withoutQueryStrings(span.name);
    scrub(span.attributes);
    for (const event of span.events) if (event.attributes) scrub(event.attributes);
    if (span.status.message) span.status.message = withoutQueryStrings(span.status.message);
  }
  forceFlush = () => Promise.resolve();
  shutdown = () => Promise.resolve();
}
