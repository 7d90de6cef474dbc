/**
 * The misbehaving-server switches: the stand-in answers as a malicious or broken authorization server would,
 * so tests can prove the app refuses it. Unlike `fail` (the endpoint does not answer properly), a tamper
 * switch lets oidc-provider do its job and then rewrites one part of its answer:
 *
 * - `idToken`: the id_token of authorization_code token responses (see id-token-tamper.ts);
 * - `userinfoSub`: the `sub` userinfo returns (a profile of somebody else);
 * - `authorizationIss`: the `iss` of the authorization response redirect (RFC 9207; mix-up attacks),
 *   `null` to leave it out. Without it the redirect carries oidc-provider's `iss` only when the
 *   `issInAuthorizationResponse` switch is on (Make's discovery does not announce `iss`).
 *
 * Each `tamper()` call replaces the whole set: `tamper({})` (or `reset()`) turns everything off.
 */
import type Provider from "oidc-provider";
import type { KoaContextWithOIDC } from "oidc-provider";
import { z } from "zod";

import { ID_TOKEN_TAMPERS, tamperIdToken, type IdTokenTamper } from "./id-token-tamper";
import type { SigningJwk } from "./keys";

export interface TamperSpec {
  idToken?: IdTokenTamper | "off";
  userinfoSub?: string;
  authorizationIss?: string | null;
}

export const tamperSchema = z
  .object({
    idToken: z.enum([...ID_TOKEN_TAMPERS, "off"]).optional(),
    userinfoSub: z.string().min(1).optional(),
    authorizationIss: z.string().min(1).nullable().optional(),
  })
  .strict();

/** Counts of answers actually rewritten, so a test can tell a switch took effect. */
export interface TamperStats {
  idToken: number;
  userinfo: number;
  authorizationIss: number;
}

export const emptyTamperStats = (): TamperStats => ({ idToken: 0, userinfo: 0, authorizationIss: 0 });

export interface TamperDeps {
  tamper(): TamperSpec;
  stats(): TamperStats;
  redirectUris: readonly string[];
  /** The key oidc-provider signs with now (the first one). */
  signingKey: SigningJwk;
  /** Whether the redirect keeps oidc-provider's own `iss` when no tamper switch rewrites it. */
  issInAuthorizationResponse(): boolean;
}

type Middleware = Parameters<Provider["use"]>[0];

/** oidc-provider middleware: rewrites the answer after the provider produced it. */
export function tamperResponses(deps: TamperDeps): Middleware {
  return async (ctx, next) => {
    await next();
    const { route, params } = (ctx as KoaContextWithOIDC).oidc ?? {};
    const spec = deps.tamper();
    // Refreshes also return an id_token; only sign-ins (code exchanges) are tampered with.
    if (route === "token" && params?.grant_type === "authorization_code")
      await rewriteIdToken(ctx.body, spec, deps);
    else if (route === "userinfo") rewriteUserinfo(ctx.body, spec, deps);
    else if (route === "authorization" || route === "resume") {
      const location = ctx.response.get("location");
      const rewritten = location && rewriteIss(location, spec, deps);
      if (rewritten) ctx.set("location", rewritten);
    }
  };
}

async function rewriteIdToken(body: unknown, spec: TamperSpec, deps: TamperDeps) {
  if (!spec.idToken || spec.idToken === "off" || !isRecord(body) || typeof body.id_token !== "string") return;
  body.id_token = await tamperIdToken(body.id_token, spec.idToken, deps.signingKey);
  deps.stats().idToken += 1;
}

function rewriteUserinfo(body: unknown, spec: TamperSpec, deps: TamperDeps) {
  if (spec.userinfoSub === undefined || !isRecord(body)) return;
  body.sub = spec.userinfoSub;
  deps.stats().userinfo += 1;
}

function rewriteIss(location: string, spec: TamperSpec, deps: TamperDeps): string | undefined {
  if (!deps.redirectUris.some((uri) => location.startsWith(uri))) return undefined;
  const url = new URL(location);
  if (spec.authorizationIss === undefined) {
    if (deps.issInAuthorizationResponse() || !url.searchParams.has("iss")) return undefined;
    url.searchParams.delete("iss");
    return url.toString();
  }
  if (spec.authorizationIss === null) url.searchParams.delete("iss");
  else url.searchParams.set("iss", spec.authorizationIss);
  deps.stats().authorizationIss += 1;
  return url.toString();
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null;
