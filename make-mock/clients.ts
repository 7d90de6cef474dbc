/**
 * The two OAuth clients the starter can be configured as (see MAKE_OIDC.md):
 * a confidential server-side client that authenticates with `client_secret_post`
 * (the only method Make's discovery lists) and a public client (`none`) that
 * must use PKCE.
 */
import type { ClientMetadata } from "oidc-provider";

export const MOCK_CLIENTS = Object.freeze({
  confidential: Object.freeze({
    clientId: "make-starter-confidential",
    clientSecret: "make-starter-local-secret",
  }),
  public: Object.freeze({ clientId: "make-starter-public" }),
} as const);

export const DEFAULT_REDIRECT_URIS: readonly string[] = [
  "http://localhost:3000/api/auth/callback/make",
  "http://127.0.0.1:3000/api/auth/callback/make",
];

export function clientMetadata(redirectUris: readonly string[]): ClientMetadata[] {
  const common = {
    redirect_uris: [...redirectUris],
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
  } satisfies Partial<ClientMetadata>;

  return [
    {
      ...common,
      client_id: MOCK_CLIENTS.confidential.clientId,
      client_secret: MOCK_CLIENTS.confidential.clientSecret,
      token_endpoint_auth_method: "client_secret_post",
    },
    {
      ...common,
      client_id: MOCK_CLIENTS.public.clientId,
      token_endpoint_auth_method: "none",
    },
  ];
}
