/**
 * Make as an Auth.js OpenID Connect provider, configured by discovery from AUTH_MAKE_ISSUER: its client
 * mode, PKCE, `state` and `nonce`, the id_token checks, a timeout on every request, no userinfo during
 * sign-in. Edit it to change what a sign-in with Make sends or checks; each choice's reason: ./README.md.
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
