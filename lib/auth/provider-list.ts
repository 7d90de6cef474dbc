/**
 * The sign-in providers as data: for each one, where the browser is sent to sign in (the Content Security
 * Policy's `form-action`) and where its users' pictures come from (`img-src`). next.config.mjs builds the
 * policy from this list, so it reads process.env itself and imports nothing. Add a provider here and in
 * lib/auth/providers.ts (docs/extending.md).
 */

export interface SignInProviderEntry {
  id: string;
  /** The issuer URL, or undefined when the provider is not configured. */
  issuer(variables: Record<string, string | undefined>): string | undefined;
  /** Hosts its profile pictures are served from, beyond the issuer's origin. */
  avatarHosts: string[];
}

export const SIGN_IN_PROVIDERS: SignInProviderEntry[] = [
  {
    id: "make",
    issuer: (variables) => variables.AUTH_MAKE_ISSUER || "https://www.make.com",
    // Make's profile documents no picture; when one comes, it is on Make's own hosts.
    avatarHosts: ["https://*.make.com", "https://*.make.celonis.com"],
  },
  {
    id: "oidc",
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
