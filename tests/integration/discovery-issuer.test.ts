/**
 * A discovery document that names another issuer than AUTH_MAKE_ISSUER (the OpenID Foundation's
 * `rp-discovery-issuer-not-matching-config`): the app takes none of its endpoints, and a sign-in cannot start.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadAppModules, type AppModules } from "../support/app-modules";

let app: AppModules;
beforeAll(async () => {
  app = await loadAppModules({ standIn: { config: { discoveryIssuer: "https://attacker.example" } } });
});
afterAll(() => app?.close());

describe("discovery naming another issuer", () => {
  it("is refused: no endpoint is taken from it, and a sign-in stops with issuer_mismatch", async () => {
    const { authorizationServer } = await import("@/lib/make/connection/authorization-server");
    const { classifySignInError } = await import("@/lib/auth/sign-in-errors");
    const refused = await authorizationServer().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(Error);
    expect((refused as Error).message).toMatch(/issuer/);
    expect(classifySignInError(refused)).toBe("issuer_mismatch");
    app.standIn.controls.configure({ discoveryIssuer: undefined });
  });
});
