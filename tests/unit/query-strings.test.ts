/**
 * What the span processor leaves of a URL before any exporter sees a span: the path, never the query (an
 * OAuth callback's code and state) or the fragment.
 */
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { describe, expect, it } from "vitest";
import { QueryStringRedaction, withoutQueryStrings } from "@/lib/query-strings";

describe("query strings in telemetry", () => {
  it("cuts the query and fragment off URLs and paths anywhere in a text, and leaves other text alone", () => {
    expect(withoutQueryStrings("/api/auth/callback/make?code=c&state=s")).toBe("/api/auth/callback/make");
    expect(withoutQueryStrings("GET http://127.0.0.1:3000/x?code=c#f done")).toBe(
      "GET http://127.0.0.1:3000/x done",
    );
    expect(withoutQueryStrings("/?deleted=1")).toBe("/");
    expect(withoutQueryStrings("is it down? yes")).toBe("is it down? yes");
  });

  it("exports spans whose names, attributes, events and status carry no query string", () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      spanProcessors: [new QueryStringRedaction(), new SimpleSpanProcessor(exporter)],
    });
    const span = provider.getTracer("t").startSpan("GET /api/auth/callback/make?code=c-1&state=s-1", {
      attributes: { "http.target": "/api/auth/callback/make?code=c-1&state=s-1", "url.query": "code=c-1" },
    });
    span.setAttribute("http.url", "http://127.0.0.1/api/auth/callback/make?code=c-1&state=s-1");
    span.addEvent("redirect", { location: "https://make.example/authorize?state=s-1" });
    span.setStatus({ code: 2, message: "failed /callback?code=c-1" });
    span.end();
    const [exported] = exporter.getFinishedSpans();
    expect(exported!.attributes["http.target"]).toBe("/api/auth/callback/make");
    expect(
      JSON.stringify([exported!.name, exported!.attributes, exported!.events, exported!.status]),
    ).not.toMatch(/c-1|s-1/);
  });
});
