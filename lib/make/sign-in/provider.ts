/**
 * Make as an Auth.js OpenID Connect provider. Endpoints come from `${AUTH_MAKE_ISSUER}/.well-known/
 * openid-configuration`; nothing is hard-coded.
 *
 * - With AUTH_MAKE_SECRET it is a confidential client using `client_secret_post` (the only method Make's
 *   discovery lists); without it, a public client (`none`) that relies on PKCE.
 * - PKCE S256 and `state` on every authorization request, in both modes. `nonce` only with
 *   AUTH_MAKE_NONCE=true (then required in the id_token): Make does not document echoing one, and PKCE
 *   already binds the code to this browser's sign-in (RFC 9700 §2.1.1), so the default works with either
 *   answer. Without a nonce sent, an id_token that carries one is refused. oauth4webapi checks the `iss` response parameter whenever the
 *   server sends it or advertises it.
 * - The id_token's signature and `iat` are verified against Make's JWKS (lib/make/sign-in/id-token.ts), on top of
 *   oauth4webapi's checks of `iss`, `aud`, `exp`, `nonce` and `alg`.
 * - Every request Auth.js makes to Make during a sign-in (discovery, token, userinfo) is cut off after
 *   TOKEN_TIMEOUT_MS, so a Make that hangs cannot hang the browser; discovery comes from the cache the
 *   token lifecycle uses.
 * - Sign-in needs the token response and the id_token only: the user record is keyed by its `sub`, which
 *   is all Make promises there. Userinfo is not asked during sign-in, so an odd or failing userinfo cannot
 *   fail it; the profile (name, email, avatar) comes afterwards from `GET /users/me` (lib/make/client/profile.ts).
 * @see https://authjs.dev/guides/configuring-oauth-providers
 */
import { customFetch } from "next-auth";
import type { OIDCConfig } from "next-auth/providers";
import { env, requestedScopes } from "@/lib/env";
import { authorizationServer, TOKEN_TIMEOUT_MS } from "@/lib/make/connection/authorization-server";
import { verifyIdTokenInResponse } from "@/lib/make/sign-in/id-token";
import { MAKE_PROVIDER_ID } from "@/lib/make/connection/provider-id";

export interface MakeProfile extends Record<string, unknown> {
  sub: string;
  name?: string;
  email?: string;
  picture?: string;
}

/** `fetch` bounded by TOKEN_TIMEOUT_MS, keeping any signal the caller passed. */
const fetchWithTimeout: typeof fetch = (input, init) => {
  const timeout = AbortSignal.timeout(TOKEN_TIMEOUT_MS);
  return fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout });
};

const isDiscoveryRequest = (input: Parameters<typeof fetch>[0]) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  return (
    url.origin === new URL(env.AUTH_MAKE_ISSUER).origin &&
    url.pathname.endsWith("/.well-known/openid-configuration")
  );
};

/**
 * Every sign-in start and every callback, even one without cookies that fails at once, makes Auth.js ask
 * for Make's discovery document. It is answered from the one discovery cache (lib/make/connection/authorization-server.ts),
 * so nobody can make this app send Make one request per request they send it. A failed discovery is fetched
 * for real, so Auth.js sees Make's own failure.
 */
const signInFetch: typeof fetch = async (input, init) => {
  if (isDiscoveryRequest(input)) {
    const metadata = await authorizationServer().catch(() => undefined);
    if (metadata) return Response.json(metadata);
  }
  return fetchWithTimeout(input, init);
};

const optionalText = (value: unknown) => (typeof value === "string" && value.trim() ? value : null);

export function Make(): OIDCConfig<MakeProfile> {
  return {
    id: MAKE_PROVIDER_ID,
    name: "Make",
    type: "oidc",
    issuer: env.AUTH_MAKE_ISSUER,
    clientId: env.AUTH_MAKE_ID,
    clientSecret: env.AUTH_MAKE_SECRET,
    client: { token_endpoint_auth_method: env.AUTH_MAKE_SECRET ? "client_secret_post" : "none" },
    checks: env.AUTH_MAKE_NONCE ? ["pkce", "state", "nonce"] : ["pkce", "state"],
    authorization: { params: { scope: requestedScopes().join(" ") } },
    idToken: true,
    // `conform` is Auth.js's hook on the raw token response, run before oauth4webapi processes it.
    token: { conform: verifyIdTokenInResponse } as OIDCConfig<MakeProfile>["token"],
    // Auth.js reads `customFetch` from the provider's options only (symbols are not merged from the top level).
    options: { [customFetch]: signInFetch } as OIDCConfig<MakeProfile>["options"],
    profile: (claims) => ({
      id: claims.sub,
      name: optionalText(claims.name),
      email: optionalText(claims.email)?.toLowerCase() ?? null,
      image: optionalText(claims.picture),
    }),
  };
}
