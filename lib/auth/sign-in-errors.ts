/**
 * Turns a failed sign-in into one of a few reasons a person can act on, and lands it on the error page:
 * Auth.js's own redirect says only `?error=Configuration`. How the real error is caught: lib/auth/README.md.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { unstable_rethrow } from "next/navigation";
import type { NextAuthConfig } from "next-auth";
import type { NextRequest } from "next/server";
import * as oauth from "oauth4webapi";
import { isDatabaseUnreachable } from "@/lib/db/unreachable";
import { log } from "@/lib/log";
import { isTimeout } from "@/lib/timeouts";
import { setsSessionCookie } from "@/lib/auth/session-cookie";

export const SIGN_IN_FAILURES = [
  "access_denied",
  "state_mismatch",
  "code_rejected",
  "id_token_invalid",
  "issuer_mismatch",
  "userinfo_mismatch",
  "make_unreachable",
  "account_in_use",
  "make_account_mismatch",
  "make_error",
  "forged_request",
  "service_unavailable",
  "server_error",
] as const;

export type SignInFailure = (typeof SIGN_IN_FAILURES)[number];

export const isSignInFailure = (value: unknown): value is SignInFailure =>
  SIGN_IN_FAILURES.includes(value as SignInFailure);

interface ErrorWithCause {
  type?: string;
  name?: string;
  message?: string;
  code?: unknown;
  status?: number;
  cause?: unknown;
}

/** The chain of errors: Auth.js wraps the real one in `cause.err`, oauth4webapi and Prisma in `cause`. */
function errorChain(error: unknown): ErrorWithCause[] {
  const chain: ErrorWithCause[] = [];
  let current: unknown = error;
  while (current && typeof current === "object" && chain.length < 8) {
    chain.push(current as ErrorWithCause);
    const cause = (current as ErrorWithCause).cause;
    current = cause && typeof cause === "object" && "err" in cause ? (cause as { err: unknown }).err : cause;
  }
  return chain;
}

const NETWORK_FAILURE =
  /fetch failed|timeout|timed out|ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|socket hang up|aborted/i;

/** Make answered, but not with what the protocol expects: 5xx means it is down, anything else is an error. */
const byStatus = (status: number | undefined): SignInFailure =>
  status !== undefined && status >= 500 ? "make_unreachable" : "make_error";

function classifyOAuthProcessingError(link: ErrorWithCause): SignInFailure {
  const message = link.message ?? "";
  if (link.code === oauth.RESPONSE_IS_NOT_CONFORM)
    return byStatus((link.cause as { status?: number } | undefined)?.status);
  if (/"state"/.test(message)) return "state_mismatch";
  if (/"iss"|issuer/i.test(message) && !/ID Token|JWT/i.test(message)) return "issuer_mismatch";
  if (/"sub"/.test(message) && /response/.test(message)) return "userinfo_mismatch";
  return "id_token_invalid";
}

export function classifySignInError(error: unknown): SignInFailure {
  const chain = errorChain(error);
  // Thrown by the Make adapter's linkAccount (lib/make/connection/state.ts): it arrives inside an AdapterError.
  if (chain.some((link) => link.name === "MakeAccountMismatchError")) return "make_account_mismatch";
  for (const link of chain) {
    const message = typeof link.message === "string" ? link.message : "";
    const code = typeof link.code === "string" ? link.code : ""; // a DOMException's code is a number
    if (link.type === "OAuthCallbackError") return "make_error";
    if (link.type === "OAuthAccountNotLinked") return "account_in_use";
    if (link.type === "InvalidCheck") return "state_mismatch";
    if (link.type === "MissingCSRF") return "forged_request";
    if (link instanceof oauth.ResponseBodyError)
      return link.error === "invalid_grant" ? "code_rejected" : byStatus(link.status);
    if (link instanceof oauth.OperationProcessingError || link instanceof oauth.UnsupportedOperationError) {
      return classifyOAuthProcessingError(link);
    }
    if (link instanceof oauth.WWWAuthenticateChallengeError) return "make_error";
    if (link.type === "AdapterError") {
      return chain.some((cause) =>
        isDatabaseUnreachable(`${String(cause.code ?? "")} ${String(cause.message ?? "")}`),
      )
        ? "service_unavailable"
        : "server_error";
    }
    // jose (id_token signature and claim checks): a JWKS that cannot be fetched is an outage, the rest a bad token.
    if (code === "ERR_JWKS_TIMEOUT" || /Key Set HTTP response/.test(message)) return "make_unreachable";
    if (code.startsWith("ERR_JW") || code === "ERR_JOSE_ALG_NOT_ALLOWED") return "id_token_invalid";
    if (NETWORK_FAILURE.test(message) || isTimeout(link)) return "make_unreachable";
  }
  return "server_error";
}

const store = new AsyncLocalStorage<{ error?: unknown }>();

/** Auth.js's logger: remembers the first error of the current auth request, and logs it. */
export const signInLogger: NonNullable<NextAuthConfig["logger"]> = {
  error(error) {
    const scope = store.getStore();
    if (scope && scope.error === undefined) scope.error = error;
    const cause = (error.cause as { err?: Error } | undefined)?.err;
    log.error("sign-in failed", {
      type: String("type" in error ? error.type : error.name),
      error: cause?.message ?? error.message,
    });
  },
};

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

/**
 * For the server actions that start a sign-in ("Sign in with Make", "Reconnect"), called as
 * `redirect(await signInDestination(() => signIn(MAKE_PROVIDER_ID, { redirectTo, redirect: false })))`: where to send
 * the browser. Auth.js answers a sign-in that cannot start (Make's discovery unreachable) with its own
 * `?error=Configuration` URL and raises nothing, so the action runs in the same scope as the auth route and
 * lands on the error page with the real reason.
 */
export async function signInDestination(start: () => Promise<string>): Promise<string> {
  const scope: { error?: unknown } = {};
  try {
    const url = await store.run(scope, start);
    if (!new URL(url, "http://relative.invalid").searchParams.has("error")) return url;
  } catch (error) {
    unstable_rethrow(error); // Next's own control flow (a redirect) is not a failed sign-in
    scope.error ??= error;
  }
  return `${ERROR_PAGE}?reason=${scope.error !== undefined ? classifySignInError(scope.error) : "server_error"}`;
}

/** The session cookie a successful sign-in sets (never an empty one: that is a sign-out). */
const setsSession = (response: Response) => response.headers.getSetCookie().some(setsSessionCookie);

/**
 * Wraps an Auth.js route handler so failed sign-ins land on the error page with a precise reason. Auth.js
 * marks a failure with `?error=` on its redirect; a sign-in that succeeded (it sets the session cookie) goes
 * where it was asked to go even when that path carries an `error` parameter of its own; `onSignedIn` hears of it.
 * A refused second Make user goes to `accountMismatchPage`, which names the connected one.
 */
export function withSignInErrorReasons(
  handler: (request: NextRequest) => Promise<Response>,
  options: { onSignedIn?: (callback: URL) => void; accountMismatchPage?: string } = {},
) {
  return async (request: NextRequest): Promise<Response> => {
    const scope: { error?: unknown } = {};
    const response = await store.run(scope, () => handler(request));
    const location = response.headers.get("location");
    const redirected = !!location && response.status >= 300 && response.status < 400;
    if (setsSession(response)) options.onSignedIn?.(new URL(request.url));
    if (!redirected || setsSession(response)) return response;
    const target = new URL(location!, request.url);
    if (!target.searchParams.get("error")) return response;
    const reason =
      providerError(request) ??
      (scope.error !== undefined ? classifySignInError(scope.error) : "server_error");
    const page =
      reason === "make_account_mismatch" && options.accountMismatchPage
        ? options.accountMismatchPage
        : `${ERROR_PAGE}?reason=${reason}`;
    const headers = new Headers(response.headers);
    headers.set("location", new URL(page, target).toString());
    return new Response(null, { status: response.status, headers });
  };
}
