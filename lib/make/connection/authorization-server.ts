/**
 * The one place that talks to Make's authorization server outside the sign-in redirect: discovery (every
 * endpoint comes from it), the refresh grant, RFC 7009 revocation and userinfo, through oauth4webapi, each
 * bounded by TOKEN_TIMEOUT_MS (the refresh grant by its lease, in refresh.ts). Edit it to change a request.
 * @see https://github.com/panva/oauth4webapi/blob/main/docs/README.md
 */
import "server-only";
import * as oauth from "oauth4webapi";
import type { Span } from "@opentelemetry/api";
import { clientType, env } from "@/lib/env";
import { observeMake } from "@/lib/make/connection/observations";
import { annotateSpan, traced } from "@/lib/make/connection/tracing";
import { tunable } from "@/lib/test-tuning";

/**
 * How long a request to Make's token, revocation, userinfo or API endpoints may take. Default: 10 s, the most
 * that lets a refresh's whole lease end within a page's 60 s maxDuration (lib/make/README.md).
 */
export const TOKEN_TIMEOUT_MS = tunable("TOKEN_TIMEOUT_MS", 10_000);
import { isTimeout } from "@/lib/timeouts";

const DISCOVERY_TTL_MS = 10 * 60_000;

let discovery:
  | {
      issuer: string;
      at: number;
      as: Promise<oauth.AuthorizationServer>;
      resolved?: oauth.AuthorizationServer;
    }
  | undefined;

/** Plain-http issuers are only the local Make stand-in; real Make is https. */
const requestOptions = (signal = () => AbortSignal.timeout(TOKEN_TIMEOUT_MS)) => ({
  [oauth.allowInsecureRequests]: new URL(env.AUTH_MAKE_ISSUER).protocol === "http:",
  signal,
});

export function authorizationServer(): Promise<oauth.AuthorizationServer> {
  const now = Date.now();
  if (!discovery || discovery.issuer !== env.AUTH_MAKE_ISSUER || now - discovery.at > DISCOVERY_TTL_MS) {
    const issuer = new URL(env.AUTH_MAKE_ISSUER);
    const as = oauth
      .discoveryRequest(issuer, requestOptions())
      .then((response) => oauth.processDiscoveryResponse(issuer, response));
    const entry: NonNullable<typeof discovery> = { issuer: env.AUTH_MAKE_ISSUER, at: now, as };
    discovery = entry;
    as.then(
      (resolved) => (entry.resolved = resolved),
      () => {
        if (discovery === entry) discovery = undefined;
      },
    );
  }
  return discovery.as;
}

/** The discovered server when it is cached and current, without waiting: callers skip work made for a slow one. */
export function discoveredServer(): oauth.AuthorizationServer | undefined {
  const current = discovery;
  const fresh =
    current && current.issuer === env.AUTH_MAKE_ISSUER && Date.now() - current.at <= DISCOVERY_TTL_MS;
  return fresh ? current.resolved : undefined;
}

export const makeClient = (): oauth.Client => ({
  client_id: env.AUTH_MAKE_ID,
  token_endpoint_auth_method: clientType() === "confidential" ? "client_secret_post" : "none",
});

const clientAuth = (): oauth.ClientAuth =>
  env.AUTH_MAKE_SECRET ? oauth.ClientSecretPost(env.AUTH_MAKE_SECRET) : oauth.None();

/** Make's documented access-token lifetime, assumed whenever an answer carries no `expires_in`. */
export const DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS = 300;

export interface RefreshedTokens {
  accessToken: string;
  refreshToken?: string;
  idToken?: string;
  expiresAt: number;
  /** The access token's lifetime in seconds, as Make reported it (300 when it did not). */
  expiresIn: number;
  scope?: string;
  tokenType: string;
  /** Why the answer's id_token (or another part of it) failed the checks; the tokens are kept all the same. */
  answerProblem?: string;
  /** The `sub` of the answer's id_token, when it carried one that passed the checks. */
  subject?: string;
}

type TokenAnswer = Record<string, unknown> & { access_token: string };

const isTokenAnswer = (body: unknown): body is TokenAnswer =>
  typeof body === "object" && body !== null && typeof (body as TokenAnswer).access_token === "string";

const asJsonResponse = (body: unknown, status: number) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

/**
 * Make's refresh answer, checked by oauth4webapi. Once Make has answered with an access token the old
 * refresh token is spent, so nothing in the answer may cost the new ones: an id_token that fails the checks
 * (expired, the sign-in's old one) is dropped and the rest checked again; should even that fail, the tokens
 * are taken as Make sent them. Either way `answerProblem` says what failed.
 */
async function readRefreshAnswer(
  as: oauth.AuthorizationServer,
  response: Response,
): Promise<{ tokens: oauth.TokenEndpointResponse; problem?: string }> {
  const copy = response.clone();
  try {
    return { tokens: await oauth.processRefreshTokenResponse(as, makeClient(), response) };
  } catch (error) {
    const body: unknown = await copy.json().catch(() => undefined);
    if (!(error instanceof oauth.OperationProcessingError) || !copy.ok || !isTokenAnswer(body)) throw error;
    const problem = errorCode(error);
    const { id_token: _dropped, ...withoutIdToken } = body;
    try {
      const tokens = await oauth.processRefreshTokenResponse(
        as,
        makeClient(),
        asJsonResponse(withoutIdToken, copy.status),
      );
      return { tokens: { ...tokens, id_token: undefined }, problem: `id_token ${problem}` };
    } catch {
      const tokens = { ...withoutIdToken, token_type: String(body.token_type ?? "bearer").toLowerCase() };
      return { tokens: tokens as oauth.TokenEndpointResponse, problem };
    }
  }
}

/**
 * `grant_type=refresh_token` against an already discovered server, cut off when `signal` aborts.
 * Throws oauth.ResponseBodyError for OAuth errors (e.g. invalid_grant).
 */
export function refreshGrant(
  as: oauth.AuthorizationServer,
  refreshToken: string,
  signal: AbortSignal,
): Promise<RefreshedTokens> {
  return traced("make.refresh.grant", {}, (span) =>
    withOutcome(span, requestRefresh(as, refreshToken, signal)),
  );
}

async function requestRefresh(
  as: oauth.AuthorizationServer,
  refreshToken: string,
  signal: AbortSignal,
): Promise<RefreshedTokens> {
  const options = requestOptions(() => signal);
  const response = await oauth.refreshTokenGrantRequest(
    as,
    makeClient(),
    clientAuth(),
    refreshToken,
    options,
  );
  annotateSpan({ "http.response.status_code": response.status });
  const { tokens, problem } = await readRefreshAnswer(as, response);
  const expiresIn =
    typeof tokens.expires_in === "number" && tokens.expires_in > 0
      ? tokens.expires_in
      : DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS;
  observeMake("refresh.expires_in", tokens.expires_in ?? "absent");
  observeMake(
    "refresh.rotation",
    !tokens.refresh_token ? "omitted" : tokens.refresh_token === refreshToken ? "same" : "rotated",
  );
  observeMake("refresh.id_token", tokens.id_token ? "present" : problem ? `rejected (${problem})` : "absent");
  return {
    accessToken: tokens.access_token,
    refreshToken: typeof tokens.refresh_token === "string" ? tokens.refresh_token : undefined,
    idToken: tokens.id_token,
    expiresAt: Math.floor(Date.now() / 1000) + expiresIn,
    expiresIn,
    scope: tokens.scope,
    tokenType: tokens.token_type,
    answerProblem: problem,
    subject: tokens.id_token ? oauth.getValidatedIdTokenClaims(tokens)?.sub : undefined,
  };
}

/**
 * RFC 7009 revocation. Resolves when Make is done with the token: 200 (RFC 7009's answer) or 204, and
 * `unsupported_token_type` for an access token, since revoking the refresh token is what ends the grant
 * (an access token then lapses within its lifetime). Throws otherwise.
 */
export function revokeAtMake(token: string, tokenTypeHint: "access_token" | "refresh_token"): Promise<void> {
  return traced("make.revocation", { "make.token_type_hint": tokenTypeHint }, async (span) => {
    const as = await authorizationServer();
    const response = await oauth.revocationRequest(as, makeClient(), clientAuth(), token, {
      ...requestOptions(),
      additionalParameters: { token_type_hint: tokenTypeHint },
    });
    span.setAttribute("http.response.status_code", response.status);
    observeMake("revocation.status", response.status);
    if (response.status === 204) return;
    await withOutcome(span, oauth.processRevocationResponse(response)).catch((error: unknown) => {
      const accessTokenNotRevocable =
        tokenTypeHint === "access_token" &&
        error instanceof oauth.ResponseBodyError &&
        error.error === "unsupported_token_type";
      if (!accessTokenNotRevocable) throw error;
    });
  });
}

/** Records on `span` how a request to Make ended: "ok" or the token-free error code. */
async function withOutcome<T>(span: Span, work: Promise<T>): Promise<T> {
  try {
    const result = await work;
    span.setAttribute("make.outcome", "ok");
    return result;
  } catch (error) {
    span.setAttribute("make.outcome", errorCode(error));
    throw error;
  }
}

/** The OIDC userinfo endpoint, with the subject checked against the signed-in account's `sub`. */
export async function fetchUserinfo(
  accessToken: string,
  expectedSub: string,
): Promise<oauth.UserInfoResponse> {
  const as = await authorizationServer();
  const response = await oauth.userInfoRequest(as, makeClient(), accessToken, requestOptions());
  return oauth.processUserInfoResponse(as, makeClient(), expectedSub, response);
}

/** invalid_grant means the grant is dead (expired, revoked, or a rotated refresh token reused). */
export const isInvalidGrant = (error: unknown) =>
  error instanceof oauth.ResponseBodyError && error.error === "invalid_grant";

/**
 * Whether Make may have acted on a request whose answer never arrived (timed out, connection lost): for a
 * refresh this means the refresh token may already be used up.
 */
export const outcomeUnknown = (error: unknown) => ["timeout", "network_error"].includes(errorCode(error));

/** A short, token-free code for what went wrong, for the account row and the activity log. */
export function errorCode(error: unknown): string {
  if (error instanceof oauth.ResponseBodyError) return error.error;
  if (error instanceof oauth.WWWAuthenticateChallengeError) return `http_${error.status}`;
  if (error instanceof oauth.OperationProcessingError) {
    const cause = error.cause as { status?: number } | undefined;
    if (error.code === oauth.RESPONSE_IS_NOT_CONFORM && cause?.status) return `http_${cause.status}`;
    return error.code ?? "invalid_response";
  }
  if (isTimeout(error)) return "timeout";
  if (error instanceof TypeError) return "network_error";
  return "unknown_error";
}
