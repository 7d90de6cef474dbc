/**
 * Where the browser may go after signing in: only a path on this site. Anything else (another origin,
 * a protocol-relative `//host`, a backslash trick) falls back, so `callbackUrl` cannot be an open redirect.
 */
export function safeRedirectPath(candidate: string | undefined | null, fallback = "/dashboard"): string {
  if (!candidate || !candidate.startsWith("/") || /^\/[/\\]/.test(candidate) || /[\u0000-\u001f]/.test(candidate)) {
    return fallback;
  }
  return candidate;
}
