/**
 * Observability: the spans @vercel/otel exports (registered as instrumentation.ts registers it, with an
 * in-memory exporter in place of OTLP) for a sign-in, a refresh and a Make API call, with the attributes
 * an operator needs; and no span attribute and no log line carries a token.
 */
import { SpanStatusCode } from "@opentelemetry/api";
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { registerOTel } from "@vercel/otel";
import type { Account } from "next-auth";
import type { AdapterAccount } from "next-auth/adapters";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { discover, signInTokens } from "../support/make-code-flow";
import { loadAppModules, type AppModules } from "../support/app-modules";

const exporter = new InMemorySpanExporter();
registerOTel({ serviceName: "telemetry-test", spanProcessors: [new SimpleSpanProcessor(exporter)] });

let app: AppModules;
let logged: string[] = [];
let tokens: Awaited<ReturnType<typeof signInTokens>>;

const spans = (name: string) => exporter.getFinishedSpans().filter((span) => span.name === name);
const only = (name: string) => {
  const found = spans(name);
  expect(found.map((span) => span.name)).toEqual([name]);
  return found[0]!;
};
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

/** Every span and log line so far, as text, for the "no token anywhere" check. */
const everythingRecorded = () =>
  [
    ...exporter.getFinishedSpans().map((span) =>
      JSON.stringify({
        name: span.name,
        attributes: span.attributes,
        events: span.events,
        status: span.status,
      }),
    ),
    ...logged,
  ].join("\n");

/** The sign-in as Auth.js runs it for a new Make account: the signIn callback, then linkAccount. */
async function signIn(): Promise<string> {
  const { makeAuthWiring } = await import("@/lib/make/sign-in/wiring");
  const wiring = makeAuthWiring({ signedInUserId: async () => null, sessionKey: async () => undefined });
  const user = await app.db.user.create({ data: { name: "ada" } });
  const account: Account & { userId: string } = {
    userId: user.id,
    type: "oidc",
    provider: "make",
    providerAccountId: "1001",
    access_token: tokens.access_token,
    refresh_token: tokens.refresh_token,
    id_token: tokens.id_token,
    expires_at: Math.floor(Date.now() / 1000) - 10,
    token_type: "bearer",
  };
  expect(
    await wiring.signIn({ account, user, profile: undefined, email: undefined, credentials: undefined }),
  ).toBe(true);
  await wiring.adapter({} as never).linkAccount!(account as AdapterAccount);
  return user.id;
}

beforeAll(async () => {
  app = await loadAppModules();
  tokens = await signInTokens(await discover(app.standIn), {
    client: "confidential",
    login: "ada",
    nonce: "n",
    scope: "openid user:read organizations:read teams:read scenarios:read",
  });
});
afterAll(() => app?.close());
beforeEach(async () => {
  exporter.reset();
  logged = [];
  for (const method of ["log", "warn", "error", "info"] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      logged.push(args.map(String).join(" "));
    });
  }
  await app.db.user.deleteMany();
  return () => vi.restoreAllMocks();
});

describe("traces of the Make connection", () => {
  it("traces a sign-in, a refresh and an API call with what an operator needs, and never a token", async () => {
    const userId = await signIn();
    const accountId = (await app.db.account.findFirstOrThrow({ where: { userId } })).id;

    expect(only("make.sign_in.check").attributes).toMatchObject({
      "auth.provider": "make",
      "make.sub": "1001",
      "make.sign_in.outcome": "accepted",
    });
    expect(only("make.sign_in.connect").attributes).toMatchObject({
      "auth.provider": "make",
      "make.sub": "1001",
    });

    // The stored token has expired: the client renews it first (one refresh), then calls Make.
    const { MakeApi } = await import("@/lib/make/client/api");
    const calls = await import("@/lib/make/client/calls");
    const api = await MakeApi.forUser(userId);
    const [organization] = (await calls.listOrganizations(api)) as import("@/lib/make").ZonedOrganization[];
    await calls.listTeams(api, organization!);

    const refresh = only("make.refresh");
    expect(refresh.attributes).toMatchObject({
      "make.account_id": accountId,
      "make.refresh.forced": false,
      "make.refresh.lease": "claimed",
    });
    const grant = only("make.refresh.grant");
    expect(grant.attributes).toMatchObject({ "http.response.status_code": 200, "make.outcome": "ok" });
    const write = only("make.refresh.write");
    expect(write.attributes).toMatchObject({ "make.account_id": accountId, "make.refresh.write": "written" });
    expect([parentOf(grant), parentOf(write)]).toEqual([
      refresh.spanContext().spanId,
      refresh.spanContext().spanId,
    ]);

    const apiCalls = spans("make.api").map((span) => span.attributes);
    expect(apiCalls).toEqual([
      expect.objectContaining({
        "make.zone": app.standIn.zones[0],
        "http.request.method": "GET",
        "url.path": "/api/v2/organizations",
        "http.response.status_code": 200,
        "make.duration_ms": expect.any(Number),
      }),
      expect.objectContaining({
        "make.zone": organization!.zone,
        "make.organization_id": organization!.id,
        "url.path": "/api/v2/teams",
        "http.response.status_code": 200,
      }),
    ]);

    const stored = await app.db.account.findFirstOrThrow({ where: { userId } });
    const recorded = everythingRecorded();
    for (const token of [
      tokens.access_token,
      tokens.refresh_token,
      tokens.id_token,
      stored.access_token,
      stored.refresh_token,
    ]) {
      expect(token).toBeTruthy();
      expect(recorded.includes(token!)).toBe(false);
    }
    if (process.env.PRINT_TRACE === "1") printTrace(refresh);
  });

  it("marks a refresh Make refused, and logs the failure with the account id but no token", async () => {
    const userId = await signIn();
    const accountId = (await app.db.account.findFirstOrThrow({ where: { userId } })).id;
    await app.db.account.updateMany({
      where: { userId },
      data: { lastRefreshedAt: new Date(0), connectedAt: new Date(0) },
    });
    app.standIn.controls.fail({ endpoint: "token", mode: "invalid_grant" });

    const { renewIdleConnections } = await import("@/lib/make/ops/maintenance");
    expect(await renewIdleConnections()).toMatchObject({ reauthRequired: 1 });

    const refresh = only("make.refresh");
    expect(refresh.attributes).toMatchObject({ "make.account_id": accountId, "make.refresh.forced": true });
    expect(refresh.status.code).toBe(SpanStatusCode.ERROR);
    expect(only("make.refresh.grant").attributes).toMatchObject({
      "http.response.status_code": 400,
      "make.outcome": "invalid_grant",
    });
    const line = logged.find((entry) => entry.includes("idle connection not renewed"));
    expect(line).toContain(`accountId=${accountId}`);
    const recorded = everythingRecorded();
    for (const token of [tokens.access_token, tokens.refresh_token, tokens.id_token])
      expect(recorded.includes(token!)).toBe(false);
  });

  it("traces a revocation with the token type and Make's answer", async () => {
    const userId = await signIn();
    await app.revoke.revokeMakeConnection(userId);
    const revocations = spans("make.revocation").map((span) => span.attributes);
    expect(revocations).toEqual([
      expect.objectContaining({
        "make.token_type_hint": "access_token",
        "http.response.status_code": 200,
        "make.outcome": "ok",
      }),
      expect.objectContaining({
        "make.token_type_hint": "refresh_token",
        "http.response.status_code": 200,
        "make.outcome": "ok",
      }),
    ]);
    expect(everythingRecorded().includes(tokens.refresh_token!)).toBe(false);
  });
});

/** One refresh as a tree: each span's name, duration and attributes under its parent. */
function printTrace(root: ReadableSpan) {
  const all = exporter.getFinishedSpans();
  const lines: string[] = [];
  const walk = (span: ReadableSpan, depth: number) => {
    const ms = (span.duration[0] * 1e3 + span.duration[1] / 1e6).toFixed(1);
    lines.push(`${"  ".repeat(depth)}${span.name} (${ms} ms) ${JSON.stringify(span.attributes)}`);
    for (const child of all.filter((candidate) => parentOf(candidate) === span.spanContext().spanId))
      walk(child, depth + 1);
  };
  walk(root, 0);
  process.stdout.write(`\ntrace ${root.spanContext().traceId}\n${lines.join("\n")}\n`);
}
