/**
 * `npm run make:doctor`'s checks, one line each, exiting non-zero when any fails: discovery and its issuer,
 * the client credentials, scopes, callback URL, database and encryption keys, a user's connection as Make
 * sees it, and Make's undocumented answers observed so far. Add a check when a deployment can go wrong in a
 * new way.
 */
import "server-only";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { db } from "@/lib/db";
import { decryptColumn, encryptColumn, tokenKeys } from "@/lib/db/token-encryption";
import { clientType, env, requestedScopes } from "@/lib/env";
import { MakeApi } from "@/lib/make/client/api";
import { authorizationServer, TOKEN_TIMEOUT_MS } from "@/lib/make/connection/authorization-server";
import { hasZone } from "@/lib/make/client/calls";
import { callScopes } from "@/lib/make/sign-in/scopes";
import { makeObservations } from "@/lib/make/connection/observations";
import { makeProfile } from "@/lib/make/client/profile";
import { MAKE_PROVIDER_ID } from "@/lib/make/connection/provider-id";

export interface DoctorCheck {
  name: string;
  ok: boolean;
  detail: string;
}

/**
 * Make's API scope names (from Make's SDK tool definitions), for when there is no token to ask
 * `GET /enums/user-api-tokes-scopes` with.
 */
const KNOWN_MAKE_SCOPES = new Set([
  "openid",
  "user:read",
  "user:write",
  "organizations:read",
  "organizations:write",
  "teams:read",
  "teams:write",
  "scenarios:read",
  "scenarios:write",
  "scenarios:run",
  "connections:read",
  "connections:write",
  "hooks:read",
  "hooks:write",
  "datastores:read",
  "datastores:write",
  "templates:read",
  "templates:write",
  "keys:read",
  "keys:write",
  "devices:read",
  "devices:write",
  "udts:read",
  "udts:write",
  "functions:read",
  "functions:write",
  "apps:read",
  "apps:write",
  "executions:read",
  "notifications:read",
  "notifications:write",
]);

const timeout = () => AbortSignal.timeout(TOKEN_TIMEOUT_MS);
const failureText = (error: unknown): string =>
  error instanceof AggregateError && !error.message
    ? error.errors.map(failureText).join("; ")
    : error instanceof Error
      ? `${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ""}`
      : String(error);

/** The redirect_uri the app sends: the redirect proxy's when one is set, else AUTH_URL's. */
export function callbackUrl(): { url: string; note?: string } {
  const base = env.AUTH_REDIRECT_PROXY_URL ?? env.AUTH_URL;
  if (!base) {
    return {
      url: `http://localhost:3000/api/auth/callback/${MAKE_PROVIDER_ID}`,
      note: "AUTH_URL is not set, so the app uses the host each request came to; set it to be sure",
    };
  }
  const url = new URL(base);
  const prefix = url.pathname.replace(/\/$/, "").replace(/\/api\/auth$/, "");
  return { url: `${url.origin}${prefix}/api/auth/callback/${MAKE_PROVIDER_ID}` };
}

async function checkDiscovery(): Promise<DoctorCheck> {
  const name = "discovery";
  const url = new URL(`${env.AUTH_MAKE_ISSUER.replace(/\/$/, "")}/.well-known/openid-configuration`);
  try {
    const response = await fetch(url, { signal: timeout() });
    if (!response.ok) return { name, ok: false, detail: `${url.href} answered ${response.status}` };
    const document = (await response.json()) as { issuer?: unknown };
    if (document.issuer !== env.AUTH_MAKE_ISSUER) {
      return {
        name,
        ok: false,
        detail: `issuer is ${JSON.stringify(document.issuer)}, but AUTH_MAKE_ISSUER is "${env.AUTH_MAKE_ISSUER}" (they must match exactly)`,
      };
    }
    return { name, ok: true, detail: `${url.href} answers, issuer matches AUTH_MAKE_ISSUER exactly` };
  } catch (error) {
    return { name, ok: false, detail: `${url.href} unreachable: ${failureText(error)}` };
  }
}

/** A token request with a code that cannot be valid: `invalid_grant` means Make accepted the client. */
async function checkClient(): Promise<DoctorCheck> {
  const name = "client credentials";
  try {
    const as = await authorizationServer();
    if (!as.token_endpoint) return { name, ok: false, detail: "discovery names no token_endpoint" };
    // Sent by hand: oauth4webapi only sends codes that came back through a real authorization response.
    const form = new URLSearchParams({
      grant_type: "authorization_code",
      code: "make-doctor-deliberately-invalid-code",
      redirect_uri: callbackUrl().url,
      client_id: env.AUTH_MAKE_ID,
      ...(env.AUTH_MAKE_SECRET ? { client_secret: env.AUTH_MAKE_SECRET } : {}),
    });
    const response = await fetch(as.token_endpoint, { method: "POST", body: form, signal: timeout() });
    const body = (await response.json().catch(() => ({}))) as { error?: string };
    if (body.error === "invalid_grant") {
      return {
        name,
        ok: true,
        detail: `${clientType()} client ${env.AUTH_MAKE_ID} accepted (a made-up code got invalid_grant)`,
      };
    }
    if (body.error === "invalid_client") {
      return {
        name,
        ok: false,
        detail: `Make refused client ${env.AUTH_MAKE_ID}: invalid_client (check AUTH_MAKE_ID and AUTH_MAKE_SECRET)`,
      };
    }
    return {
      name,
      ok: false,
      detail: `unexpected answer to a made-up code: ${response.status} ${body.error ?? "(no error code)"}`,
    };
  } catch (error) {
    return { name, ok: false, detail: `token endpoint not reachable: ${failureText(error)}` };
  }
}

async function checkScopes(api: MakeApi | undefined): Promise<DoctorCheck> {
  const name = "scopes";
  const scopes = requestedScopes();
  if (!scopes.includes("openid"))
    return { name, ok: false, detail: `AUTH_MAKE_SCOPE lacks openid: ${scopes.join(" ")}` };
  let known = KNOWN_MAKE_SCOPES;
  let source = "the built-in list of Make's scope names";
  if (api) {
    try {
      const answer = await api.call(async (make) => {
        const response = await make.fetch<{ userApiTokenScopes?: Array<{ name?: string }> }>(
          "/enums/user-api-tokes-scopes",
        );
        return response.userApiTokenScopes ?? [];
      });
      known = new Set(["openid", ...answer.map((scope) => scope.name ?? "")]);
      source = "Make's list (GET /enums/user-api-tokes-scopes)";
    } catch {
      // The built-in list serves.
    }
  }
  const grantable = callScopes();
  const unknown = [...new Set([...scopes, ...grantable])].filter((scope) => !known.has(scope));
  if (unknown.length > 0)
    return { name, ok: false, detail: `not known API scopes (${source}): ${unknown.join(" ")}` };
  return {
    name,
    ok: true,
    detail: `${scopes.join(" ")}; Grant access may ask for ${grantable.join(" ")} (all in ${source}; the registration must include them)`,
  };
}

function checkCallback(): DoctorCheck {
  const { url, note } = callbackUrl();
  return {
    name: "callback URL",
    ok: true,
    detail: `${url} (register exactly this)${note ? `; ${note}` : ""}`,
  };
}

async function checkDatabase(): Promise<DoctorCheck> {
  const name = "database";
  try {
    const folders = await readdir(path.join(process.cwd(), "prisma/migrations"), { withFileTypes: true });
    const local = folders.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
    const applied = await db.$queryRaw<Array<{ migration_name: string }>>`
      SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`;
    const done = new Set(applied.map((row) => row.migration_name));
    const missing = local.filter((migration) => !done.has(migration));
    if (missing.length > 0)
      return { name, ok: false, detail: `not migrated: ${missing.join(", ")} (run npm run db:migrate)` };
    return { name, ok: true, detail: `reachable, all ${local.length} migrations applied` };
  } catch (error) {
    const text = failureText(error);
    const notMigrated = /_prisma_migrations|does not exist/.test(text);
    return {
      name,
      ok: false,
      detail: notMigrated ? `not migrated (run npm run db:migrate): ${text}` : `unreachable: ${text}`,
    };
  }
}

function checkKeys(): DoctorCheck {
  const name = "encryption keys";
  try {
    const keys = tokenKeys();
    const sealed = encryptColumn("make-doctor", "access_token", "make-doctor");
    if (decryptColumn(sealed, "access_token", "make-doctor") !== "make-doctor")
      throw new Error("round trip failed");
    const source = env.TOKEN_ENCRYPTION_KEY ? "TOKEN_ENCRYPTION_KEY" : "AUTH_SECRET";
    return { name, ok: true, detail: `${keys.length} key(s) from ${source}, encrypt and decrypt` };
  } catch (error) {
    return { name, ok: false, detail: failureText(error) };
  }
}

/** The user's connection: state and expiry from the database, granted scopes and reach from Make. */
async function checkUser(who: string): Promise<{ checks: DoctorCheck[]; api?: MakeApi }> {
  const user = await db.user.findFirst({ where: { OR: [{ id: who }, { email: who.toLowerCase() }] } });
  if (!user) return { checks: [{ name: "user", ok: false, detail: `no user with id or email ${who}` }] };
  const account = await db.account.findFirst({
    where: { userId: user.id, provider: MAKE_PROVIDER_ID },
    select: { state: true, expires_at: true, providerAccountId: true, lastError: true, clientType: true },
  });
  if (!account) return { checks: [{ name: "connection", ok: false, detail: "no Make account connected" }] };
  const expires = account.expires_at ? new Date(account.expires_at * 1000).toISOString() : "none held";
  const checks: DoctorCheck[] = [
    {
      name: "connection",
      ok: account.state === "active",
      detail: `Make user ${account.providerAccountId}, ${account.state}, ${account.clientType ?? "?"} client, access token expires ${expires}${account.lastError ? `, last error ${account.lastError}` : ""}`,
    },
  ];
  if (account.state !== "active") return { checks };
  try {
    const api = await MakeApi.forUser(user.id);
    const scopes = await makeProfile.grantedScopes(api);
    checks.push({ name: "granted scopes", ok: true, detail: scopes.join(" ") || "none" });
    const organizations = (await makeProfile.organizations(api)) ?? [];
    await api.reserve(
      organizations.filter(hasZone).map(({ id, zone }) => [{ zone, organizationId: id }, 1] as const),
    );
    for (const entry of await makeProfile.reach(api, organizations)) {
      checks.push({
        name: `organization ${entry.organization.id}`,
        ok: entry.reach === "reachable",
        detail: `${entry.organization.name} in ${entry.organization.zone ?? "an unknown zone"}: ${entry.reach}${
          "error" in entry ? ` (${failureText(entry.error)})` : ""
        }`,
      });
    }
    return { checks, api };
  } catch (error) {
    checks.push({ name: "Make API", ok: false, detail: failureText(error) });
    return { checks };
  }
}

export async function runMakeDoctor(options: { user?: string } = {}): Promise<{
  checks: DoctorCheck[];
  observations: Awaited<ReturnType<typeof makeObservations>>;
}> {
  const checks = [await checkDiscovery()];
  checks.push(await checkClient());
  const database = await checkDatabase();
  const user = options.user && database.ok ? await checkUser(options.user) : undefined;
  checks.push(await checkScopes(user?.api), checkCallback(), database, checkKeys());
  if (options.user && !database.ok)
    checks.push({ name: "user", ok: false, detail: "not checked: the database is not ready" });
  checks.push(...(user?.checks ?? []));
  const observations = database.ok ? await makeObservations().catch(() => []) : [];
  return { checks, observations };
}
