/**
 * Sits in front of oidc-provider for the endpoints tests want to observe or
 * break: counts requests, records each refresh token presented, adds latency, and answers with the armed
 * failure instead of the real endpoint. Everything else goes straight to the provider.
 */
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as delay } from "node:timers/promises";
import type Provider from "oidc-provider";

import type { ActiveFailure, FailEndpoint, RefreshTokenUse, StandInState } from "./controls";
import { readBody, replayRequest, sendJson } from "./http-utils";
import { DISCOVERY_PATH, MAKE_ROUTES } from "./provider";

export interface GateDeps {
  state: StandInState;
  provider(): Provider;
  forward(req: IncomingMessage, res: ServerResponse): void;
  /** Responses deliberately left unanswered; the server destroys them on close. */
  hanging: Set<ServerResponse>;
}

const ENDPOINTS: Record<string, FailEndpoint> = {
  [MAKE_ROUTES.token]: "token",
  [MAKE_ROUTES.revocation]: "revocation",
  [MAKE_ROUTES.jwks]: "jwks",
  [MAKE_ROUTES.userinfo]: "userinfo",
  [DISCOVERY_PATH]: "discovery",
};

export async function handleOidc(
  deps: GateDeps,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<void> {
  const { state } = deps;
  const endpoint = ENDPOINTS[path];
  if (path === MAKE_ROUTES.authorization && state.config.ignoreNonce) dropNonce(req);
  if (!endpoint) return deps.forward(req, res);

  let body: Buffer | undefined;
  let grantType: string | undefined;
  let refusedTokenType = false;

  if (endpoint === "token" && req.method === "POST") {
    body = await readBody(req);
    grantType = new URLSearchParams(body.toString("utf8")).get("grant_type") ?? "(missing)";
    state.stats.grants[grantType] = (state.stats.grants[grantType] ?? 0) + 1;
    if (state.config.tokenLatencyMs > 0) await delay(state.config.tokenLatencyMs);
    if (grantType === "refresh_token" && state.config.refreshLatencyMs)
      await delay(state.config.refreshLatencyMs);
  } else if (endpoint === "revocation" && req.method === "POST") {
    state.revocationsInFlight += 1;
    state.stats.revocationsInFlightPeak = Math.max(
      state.stats.revocationsInFlightPeak,
      state.revocationsInFlight,
    );
    res.on("close", () => (state.revocationsInFlight -= 1));
    body = await readBody(req);
    const params = new URLSearchParams(body.toString("utf8"));
    if (state.config.revocationLatencyMs) await delay(state.config.revocationLatencyMs);
    const tokenTypeHint = params.get("token_type_hint");
    const kind = await activeTokenKind(deps.provider(), params.get("token") ?? "");
    state.stats.revocations.push({ tokenTypeHint, found: kind !== undefined, at: new Date().toISOString() });
    const accessToken = kind === "access_token" || (!kind && tokenTypeHint === "access_token");
    refusedTokenType = accessToken && state.config.revocationAnswer === "unsupported_token_type";
  } else if (endpoint === "discovery") {
    state.stats.discovery += 1;
    if (state.config.discoveryLatencyMs) await delay(state.config.discoveryLatencyMs);
  } else if (endpoint === "userinfo") {
    state.stats.userinfo += 1;
  } else if (endpoint === "jwks") {
    state.stats.jwks += 1;
  }

  const isRefresh = grantType === "refresh_token";
  const presented = isRefresh ? await refreshTokenUse(deps.provider(), body!) : undefined;
  // The latency is the request's way to Make: a client that gave up meanwhile never reached it.
  if (endpoint === "token" && res.destroyed) {
    if (presented) state.stats.refreshTokens.push({ ...presented, outcome: "abandoned" });
    return;
  }
  const failure = state.takeFailure(endpoint, grantType);
  if (failure) {
    if (isRefresh) state.stats.refreshFailed += 1;
    if (presented) state.stats.refreshTokens.push({ ...presented, outcome: "failure_switch" });
    return answerFailure(deps, res, failure);
  }
  if (refusedTokenType) {
    return sendJson(res, 400, {
      error: "unsupported_token_type",
      error_description: "this server does not revoke access tokens (stand-in switch revocationAnswer)",
    });
  }

  if (presented) {
    const use: RefreshTokenUse = { ...presented, outcome: "answered" };
    state.stats.refreshTokens.push(use);
    res.on("finish", () => {
      use.status = res.statusCode;
      if (res.statusCode === 200) state.stats.refreshSucceeded += 1;
      else state.stats.refreshFailed += 1;
    });
  }
  deps.forward(body ? replayRequest(req, body) : req, res);
}

/** Who presented the refresh token in `body`, and whether it had been used before (looked up before use). */
async function refreshTokenUse(provider: Provider, body: Buffer): Promise<Omit<RefreshTokenUse, "outcome">> {
  const value = new URLSearchParams(body.toString("utf8")).get("refresh_token") ?? "";
  const stored = value ? await provider.RefreshToken.find(value) : undefined;
  return {
    fingerprint: createHash("sha256").update(value).digest("base64url").slice(0, 16),
    sub: stored?.accountId,
    alreadyUsed: !!stored?.consumed,
    at: Date.now(),
  };
}

/** A Make that does not echo `nonce` behaves as if the authorization request never carried one. */
function dropNonce(req: IncomingMessage): void {
  const url = new URL(req.url ?? "/", "http://make-stand-in.invalid");
  url.searchParams.delete("nonce");
  req.url = `${url.pathname}${url.search}`;
}

/** Whether `value` is a live access token or an unused refresh token (for revocation stats). */
async function activeTokenKind(
  provider: Provider,
  value: string,
): Promise<"access_token" | "refresh_token" | undefined> {
  if (!value) return undefined;
  if (await provider.AccessToken.find(value)) return "access_token";
  const refreshToken = await provider.RefreshToken.find(value);
  return refreshToken && !refreshToken.consumed ? "refresh_token" : undefined;
}

function answerFailure(deps: GateDeps, res: ServerResponse, failure: ActiveFailure): void {
  switch (failure.mode) {
    case "hang":
      deps.hanging.add(res);
      res.on("close", () => deps.hanging.delete(res));
      return;
    case "invalid_grant":
      return sendJson(res, 400, {
        error: "invalid_grant",
        error_description: "grant is invalid (stand-in failure switch)",
      });
    case "status":
      return sendJson(res, failure.status, {
        error:
          failure.status === 503
            ? "temporarily_unavailable"
            : failure.status >= 500
              ? "server_error"
              : "invalid_request",
        error_description: `stand-in failure switch answered ${failure.status}`,
      });
  }
}
