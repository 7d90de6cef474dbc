/**
 * Turns a failed sign-in into one of a few reasons a person can act on.
 *
 * Auth.js redirects every callback failure to the error page as `?error=Configuration` (or
 * `OAuthCallbackError`), which cannot tell a denied consent from a replayed code. Its logger does see the
 * real error, so the auth route runs inside an AsyncLocalStorage scope, the logger records the error there,
 * and the route rewrites the redirect to `/auth/error?reason=<reason>`. Nothing is written on any path:
 * Auth.js creates the session only after every check passed.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { NextRequest } from "next/server";
import * as oauth from "oauth4webapi";

export const SIGN_IN_FAILURES = [
  "access_denied",
  "state_mismatch",
  "code_rejected",
  "id_token_invalid",
  "issuer_mismatch",
  "userinfo_mismatch",
  "make_unreachable",
  "account_in_use",
  "make_error",
  "server_error",
] as const;

export type SignInFailure = (typeof SIGN_IN_FAILURES)[number];

export const isSignInFailure = (value: unknown): value is SignInFailure =>
  SIGN_IN_FAILURES.includes(value as SignInFailure);

interface ErrorWithCause {
  type?: string;
  message?: string;
  code?: string;
  cause?: unknown;
}

/** The chain of errors: Auth.js wraps the real one in `cause.err`, oauth4webapi in `cause`. */
function errorChain(error: unknown): ErrorWithCause[] {
  const chain: ErrorWithCause[] = [];
  let current: unknown = error;
  while (current && typeof current === "object" && chain.length < 6) {
    chain.push(current as ErrorWithCause);
    const cause = (current as ErrorWithCause).cause;
    current = cause && typeof cause === "object" && "err" in cause ? (cause as { err: unknown }).err : cause;
  }
  return chain;
}

export function classifySignInError(error: unknown): SignInFailure {
  for (const link of errorChain(error)) {
    const message = link.message ?? "";
    if (link.type === "OAuthCallbackError") return "make_error";
    if (link.type === "OAuthAccountNotLinked") return "account_in_use";
    if (link.type === "InvalidCheck") return "state_mismatch";
    if (link instanceof oauth.ResponseBodyError) return link.error === "invalid_grant" ? "code_rejected" : "make_error";
    if (link instanceof oauth.OperationProcessingError || link instanceof oauth.UnsupportedOperationError) {
      if (/"state"/.test(message)) return "state_mismatch";
      if (/"iss"|issuer/i.test(message) && !/ID Token|JWT/i.test(message)) return "issuer_mismatch";
      if (/"sub"/.test(message) && /response/.test(message)) return "userinfo_mismatch";
      return "id_token_invalid";
    }
    if (link instanceof oauth.WWWAuthenticateChallengeError) return "make_error";
    if (link.type === "AdapterError") return "server_error";
    if (/fetch failed|timeout|ECONNREFUSED|aborted/i.test(message) || (link as Error).name === "TimeoutError") {
      return "make_unreachable";
    }
  }
  return "server_error";
}

const store = new AsyncLocalStorage<{ error?: unknown }>();

/** Called from Auth.js's logger: remembers the first error of the current auth request. */
export function recordAuthError(error: unknown) {
  const scope = store.getStore();
  if (scope && scope.error === undefined) scope.error = error;
}

const ERROR_PAGE = "/auth/error";

/**
 * The OAuth error Make sent back on the callback (`?error=access_denied`). Auth.js drops it from the error
 * it raises, so it is read from the request itself.
 */
function providerError(request: Request): SignInFailure | undefined {
  const error = new URL(request.url).searchParams.get("error");
  if (!error) return undefined;
  return error === "access_denied" ? "access_denied" : "make_error";
}

/** Wraps an Auth.js route handler so failed sign-ins land on the error page with a precise reason. */
export function withSignInErrorReasons(handler: (request: NextRequest) => Promise<Response>) {
  return async (request: NextRequest): Promise<Response> => {
    const scope: { error?: unknown } = {};
    const response = await store.run(scope, () => handler(request));
    const location = response.headers.get("location");
    if (!location || response.status < 300 || response.status >= 400) return response;
    const target = new URL(location, request.url);
    if (!target.searchParams.get("error")) return response;
    const reason =
      providerError(request) ?? (scope.error !== undefined ? classifySignInError(scope.error) : "server_error");
    const headers = new Headers(response.headers);
    headers.set("location", new URL(`${ERROR_PAGE}?reason=${reason}`, target).toString());
    return new Response(null, { status: response.status, headers });
  };
}
