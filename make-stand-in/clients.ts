/**
 * The OAuth clients of the stand-in. Two are the starter configured for Make (see MAKE_OIDC.md): a
 * confidential server-side client that authenticates with `client_secret_post` (the only method Make's
 * discovery lists) and a public client (`none`) that must use PKCE. The third is a second, unrelated
 * sign-in provider for the test suite (the app's `test-oidc` provider, lib/auth/providers.ts), registered
 * under its own id and callback path so it is a different client in every respect.
 */
import type { ClientMetadata } from "oidc-provider";

import type { MakeStandInConfig } from "./config";

export const STAND_IN_CLIENTS = Object.freeze({
  confidential: Object.freeze({
    clientId: "make-starter-confidential",
    clientSecret: "make-starter-local-secret",
  }),
  public: Object.freeze({ clientId: "make-starter-public" }),
  secondProvider: Object.freeze({
    clientId: "second-provider-client",
    clientSecret: "second-provider-local-secret",
    /** The app's provider id for it: its callback is /api/auth/callback/<providerId>. */
    providerId: "oidc",
  }),
} as const);

export const DEFAULT_REDIRECT_URIS: readonly string[] = [
  "http://localhost:3000/api/auth/callback/make",
  "http://127.0.0.1:3000/api/auth/callback/make",
];

/** The second provider's callbacks: the same apps as `redirectUris`, its own callback path. */
const secondProviderRedirects = (redirectUris: readonly string[]) =>
  redirectUris.map((uri) =>
    uri.replace(/\/callback\/[^/]+$/, `/callback/${STAND_IN_CLIENTS.secondProvider.providerId}`),
  );

/**
 * The clients as oidc-provider sees them. Two switches live in client metadata: `registeredScopes` becomes
 * the client's `scope` (oidc-provider answers `invalid_scope` for any other) and `singleRedirectUri` keeps
 * only the first redirect URI.
 */
export function clientMetadata(
  redirectUris: readonly string[],
  config: Pick<MakeStandInConfig, "registeredScopes" | "singleRedirectUri">,
): ClientMetadata[] {
  const common = {
    redirect_uris: [...redirectUris],
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
  } satisfies Partial<ClientMetadata>;

  const clients: ClientMetadata[] = [
    {
      ...common,
      client_id: STAND_IN_CLIENTS.confidential.clientId,
      client_secret: STAND_IN_CLIENTS.confidential.clientSecret,
      token_endpoint_auth_method: "client_secret_post",
    },
    {
      ...common,
      client_id: STAND_IN_CLIENTS.public.clientId,
      token_endpoint_auth_method: "none",
    },
    {
      ...common,
      redirect_uris: secondProviderRedirects(redirectUris),
      client_id: STAND_IN_CLIENTS.secondProvider.clientId,
      client_secret: STAND_IN_CLIENTS.secondProvider.clientSecret,
      token_endpoint_auth_method: "client_secret_post",
    },
  ];
  return clients.map((client) => {
    const scopes = config.registeredScopes[client.client_id];
    return {
      ...client,
      ...(scopes ? { scope: [...new Set(["openid", ...scopes])].join(" ") } : {}),
      ...(config.singleRedirectUri ? { redirect_uris: client.redirect_uris!.slice(0, 1) } : {}),
    };
  });
}
