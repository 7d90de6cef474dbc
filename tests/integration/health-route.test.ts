/**
 * `/api/health` is unauthenticated: during a Make outage it must not turn each anonymous request into a
 * request to Make. A failed discovery is remembered for a short while; the route still answers at once.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { loadAppModules, type AppModules } from "../support/app-modules";

let app: AppModules;
beforeAll(async () => {
  app = await loadAppModules();
});
afterAll(() => app?.close());

describe("/api/health during a Make outage", () => {
  it("sends Make at most a few discovery requests for 60 health checks while discovery answers 503", async () => {
    const { GET } = await import("@/app/api/health/route");
    app.standIn.controls.fail({ endpoint: "discovery", mode: "status", status: 503 });
    const before = app.standIn.controls.stats().discovery;
    for (let i = 0; i < 60; i++) {
      const response = await GET();
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ ok: true, makeDiscovery: { ok: false } });
    }
    expect(app.standIn.controls.stats().discovery - before).toBeLessThanOrEqual(2);
  });

  it("asks Make again once the failure is old enough, and reports it back", async () => {
    const { GET } = await import("@/app/api/health/route");
    app.standIn.controls.fail({ endpoint: "discovery", mode: "off" });
    const later = Date.now() + 60_000;
    vi.spyOn(Date, "now").mockReturnValue(later);
    try {
      expect(await (await GET()).json()).toMatchObject({ makeDiscovery: { ok: true } });
    } finally {
      vi.restoreAllMocks();
    }
  });
});
