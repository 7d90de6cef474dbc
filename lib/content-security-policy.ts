/**
 * The Content Security Policy for proxy.ts (each page's, with a fresh script nonce) and next.config.mjs
 * (every other response); `form-action` and `img-src` name each sign-in provider's origin. Imports stay
 * relative: next.config.mjs loads this file with jiti.
 * @see https://nextjs.org/docs/app/guides/content-security-policy
 */
import { providerSources } from "./auth/provider-list";

export function contentSecurityPolicy(
  variables: Record<string, string | undefined>,
  options: { nonce?: string; development: boolean },
): string {
  const sources = providerSources(variables);
  const scripts = options.nonce ? `'nonce-${options.nonce}' 'strict-dynamic'` : "'self'";
  return [
    "default-src 'self'",
    `script-src ${scripts}${options.development ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' data: ${sources.imgSrc.join(" ")}`,
    "font-src 'self'",
    "connect-src 'self'",
    `form-action 'self' ${sources.formAction.join(" ")}`,
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "object-src 'none'",
  ].join("; ");
}

/** A fresh nonce for one response: 128 random bits, base64. */
export const newNonce = (): string =>
  btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
