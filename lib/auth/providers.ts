/**
 * The sign-in providers Auth.js offers: Make, and a generic OpenID Connect provider (company SSO) when
 * AUTH_OIDC_ISSUER and AUTH_OIDC_ID are set. Add one here and in lib/auth/provider-list.ts (its origins).
 * @see https://authjs.dev/getting-started/authentication/oauth
 */
import type { Profile } from "next-auth";
import type { OIDCConfig, Provider } from "next-auth/providers";
import { SIGN_IN_PROVIDERS } from "@/lib/auth/provider-list";
import { env } from "@/lib/env";
import { Make } from "@/lib/make/auth";

export const OIDC_PROVIDER_ID = "oidc";

function companySso(): OIDCConfig<Profile> {
  return {
    id: OIDC_PROVIDER_ID,
    name: env.AUTH_OIDC_NAME,
    type: "oidc",
    issuer: env.AUTH_OIDC_ISSUER,
    clientId: env.AUTH_OIDC_ID,
    clientSecret: env.AUTH_OIDC_SECRET,
    client: { token_endpoint_auth_method: env.AUTH_OIDC_SECRET ? "client_secret_post" : "none" },
    checks: ["pkce", "state"],
  };
}

/** Each provider of lib/auth/provider-list.ts, by id: its Auth.js configuration. */
const CONFIGURATIONS: Record<string, () => Provider> = {
  make: Make,
  [OIDC_PROVIDER_ID]: companySso,
};

/** The configured providers of the list, in its order (Make first). */
const configured = () => SIGN_IN_PROVIDERS.filter((entry) => entry.issuer(process.env));

export const signInProviders = (): Provider[] => configured().map((entry) => CONFIGURATIONS[entry.id]!());

/** The buttons of the landing page: every configured provider, Make first. */
export const signInChoices = (): Array<{ id: string; name: string }> =>
  configured().map((entry) => ({ id: entry.id, name: entry.name(process.env) }));
