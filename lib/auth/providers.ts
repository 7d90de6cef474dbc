/**
 * The sign-in providers Auth.js offers: Make, and a generic OpenID Connect provider (company SSO) when
 * AUTH_OIDC_ISSUER and AUTH_OIDC_ID are set. Add one here and in lib/auth/provider-list.ts (its origins).
 * @see https://authjs.dev/getting-started/authentication/oauth
 */
import type { Provider } from "next-auth/providers";
import { env } from "@/lib/env";
import { Make } from "@/lib/make";

export const OIDC_PROVIDER_ID = "oidc";

function companySso(): Provider[] {
  if (!env.AUTH_OIDC_ISSUER || !env.AUTH_OIDC_ID) return [];
  return [
    {
      id: OIDC_PROVIDER_ID,
      name: env.AUTH_OIDC_NAME,
      type: "oidc",
      issuer: env.AUTH_OIDC_ISSUER,
      clientId: env.AUTH_OIDC_ID,
      clientSecret: env.AUTH_OIDC_SECRET,
      client: { token_endpoint_auth_method: env.AUTH_OIDC_SECRET ? "client_secret_post" : "none" },
      checks: ["pkce", "state"],
    },
  ];
}

export const signInProviders = (): Provider[] => [Make(), ...companySso()];

/** The buttons of the landing page: every configured provider, Make first. */
export const signInChoices = (): Array<{ id: string; name: string }> => [
  { id: "make", name: "Make" },
  ...(env.AUTH_OIDC_ISSUER && env.AUTH_OIDC_ID ? [{ id: OIDC_PROVIDER_ID, name: env.AUTH_OIDC_NAME }] : []),
];
