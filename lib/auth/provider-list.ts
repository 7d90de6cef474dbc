/**
 * The one list of sign-in providers: each one's id, button name, whether it is configured, and its origins for
 * the Content Security Policy (next.config.mjs reads it, so it imports nothing). Add a provider here and its
 * Auth.js configuration in lib/auth/providers.ts (docs/extending.md).
 */

export interface SignInProviderEntry {
  id: string;
  /** The name on its "Sign in with …" button. */
  name(variables: Record<string, string | undefined>): string;
  /** The issuer URL, or undefined when the provider is not configured. */
  issuer(variables: Record<string, string | undefined>): string | undefined;
  /** Hosts its profile pictures are served from, beyond the issuer's origin. */
  avatarHosts: string[];
}

export const SIGN_IN_PROVIDERS: SignInProviderEntry[] = [
  {
    id: "make",
    name: () => "Make",
    issuer: (variables) => variables.AUTH_MAKE_ISSUER || "https://www.make.com",
    // Make's profile documents no picture; when one comes, it is on Make's own hosts.
    avatarHosts: ["https://*.make.com", "https://*.make.celonis.com"],
  },
  {
    id: "oidc",
    name: (variables) => variables.AUTH_OIDC_NAME || "Company SSO",
    issuer: (variables) => (variables.AUTH_OIDC_ID ? variables.AUTH_OIDC_ISSUER : undefined),
    avatarHosts: [],
  },
];

/** An issuer as a CSP source; a local server on a loopback host may use any port. */
function originSource(issuer: string): string {
  const url = new URL(issuer);
  const loopback = ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
  return loopback ? `${url.protocol}//${url.hostname}:*` : url.origin;
}

/** The CSP sources the configured providers need. */
export function providerSources(variables: Record<string, string | undefined>) {
  const configured = SIGN_IN_PROVIDERS.flatMap((provider) => {
    const issuer = provider.issuer(variables);
    return issuer ? [{ origin: originSource(issuer), avatarHosts: provider.avatarHosts }] : [];
  });
  const unique = (values: string[]) => [...new Set(values)];
  return {
    formAction: unique(configured.map((provider) => provider.origin)),
    imgSrc: unique(configured.flatMap((provider) => [provider.origin, ...provider.avatarHosts])),
  };
}
