/**
 * Where the browser may go after signing in: only a path on this site. Anything else (another origin,
 * a protocol-relative `//host`, a backslash trick, a repeated or non-text parameter) falls back, so
 * `callbackUrl` can be neither an open redirect nor a way to break the page.
 */
export function safeRedirectPath(candidate: unknown, fallback = "/dashboard"): string {
  const path = Array.isArray(candidate) ? candidate[0] : candidate;
  if (
    typeof path !== "string" ||
    !path.startsWith("/") ||
    /^\/[/\\]/.test(path) ||
    /[\u0000-\u001f]/.test(path)
  ) {
    return fallback;
  }
  return path;
}
