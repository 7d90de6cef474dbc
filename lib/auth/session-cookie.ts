/**
 * The name of Auth.js's session cookie, chosen the way Auth.js chooses it: `__Secure-` when the app's
 * public URL is https (AUTH_URL, else the request's forwarded protocol, https when unknown), plain
 * otherwise. Only that one cookie counts: a plain-named cookie under https could have been planted by a
 * network attacker (no Secure flag needed to set it), so it is never read there.
 * @see https://authjs.dev/reference/core#usesecurecookies
 */
export const SESSION_COOKIE = "authjs.session-token";
export const SECURE_SESSION_COOKIE = "__Secure-authjs.session-token";

export function sessionCookieName(origin: { authUrl?: string; forwardedProto?: string | null }): string {
  const protocol = origin.authUrl
    ? new URL(origin.authUrl).protocol
    : `${origin.forwardedProto?.split(",")[0]?.trim() || "https"}:`;
  return protocol === "https:" ? SECURE_SESSION_COOKIE : SESSION_COOKIE;
}
