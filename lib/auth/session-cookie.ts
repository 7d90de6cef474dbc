/**
 * The names of Auth.js's cookies: `__Host-` where this deployment's https URL is known, Auth.js's own names
 * otherwise; only the expected name is ever read. Why: lib/auth/README.md, "Cookie names".
 * @see https://authjs.dev/reference/core#cookies
 */
import type { NextAuthConfig } from "next-auth";

export const SESSION_COOKIE = "authjs.session-token";
export const SECURE_SESSION_COOKIE = "__Secure-authjs.session-token";
export const HOST_SESSION_COOKIE = "__Host-authjs.session-token";

const isHttps = (url: string) => new URL(url).protocol === "https:";

export function sessionCookieName(origin: { authUrl?: string; forwardedProto?: string | null }): string {
  if (origin.authUrl) return isHttps(origin.authUrl) ? HOST_SESSION_COOKIE : SESSION_COOKIE;
  const protocol = origin.forwardedProto?.split(",")[0]?.trim() || "https";
  return protocol === "https" ? SECURE_SESSION_COOKIE : SESSION_COOKIE;
}

const SESSION_COOKIE_NAMES = [SESSION_COOKIE, SECURE_SESSION_COOKIE, HOST_SESSION_COOKIE];

/** True for a `Set-Cookie` line that sets a session cookie of any of the three names to a value (not a sign-out). */
export const setsSessionCookie = (line: string): boolean => {
  const pair = line.split(";", 1)[0] ?? "";
  const equals = pair.indexOf("=");
  return (
    equals > 0 && SESSION_COOKIE_NAMES.includes(pair.slice(0, equals).trim()) && equals < pair.length - 1
  );
};

/** Whether a cookie of this name must be sent with `Secure` (its prefix says so). */
export const isSecureCookieName = (name: string): boolean =>
  name.startsWith("__Secure-") || name.startsWith("__Host-");

/** The name of a cookie of the app's set beside the session cookie, with its prefix (`__Host-` under https). */
export const besideSessionCookie = (sessionName: string, name: string): string =>
  `${sessionName.slice(0, sessionName.indexOf("authjs."))}${name}`;

/** Auth.js's `cookies` option: `__Host-` names under a known https URL (options stay Auth.js's: path `/`, Secure). */
export function authCookies(deploymentUrl: string | undefined): NextAuthConfig["cookies"] {
  if (!deploymentUrl || !isHttps(deploymentUrl)) return undefined;
  const hostOnly = (name: string) => ({ name: `__Host-authjs.${name}` });
  return {
    sessionToken: { name: HOST_SESSION_COOKIE },
    callbackUrl: hostOnly("callback-url"),
    pkceCodeVerifier: hostOnly("pkce.code_verifier"),
    state: hostOnly("state"),
    nonce: hostOnly("nonce"),
  } as NextAuthConfig["cookies"];
}
