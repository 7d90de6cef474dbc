/**
 * The sign-in providers Auth.js offers: Make, and a generic OpenID Connect provider (company SSO) when
 * AUTH_OIDC_ISSUER and AUTH_OIDC_ID are set. Add one here and in lib/auth/provider-list.ts (its origins).
 * @see https://authjs.dev/getting-started/authentication/oauth
 */
import type { Profile } from "next-auth";
import type { OIDCConfig } from "next-auth/providers";
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
const CONFIGURATIONS: Record<string, () => OIDCConfig<Profile>> = {
  make: () => Make() as OIDCConfig<Profile>,
  [OIDC_PROVIDER_ID]: companySso,
};

/** The configured providers, in the list's order (Make first). */
export const signInProviders = (): OIDCConfig<Profile>[] =>
  SIGN_IN_PROVIDERS.filter((entry) => entry.issuer(process.env)).map((entry) => CONFIGURATIONS[entry.id]!());

/** The buttons of the landing page: every configured provider, Make first. */
export const signInChoices = (): Array<{ id: string; name: string }> =>
  signInProviders().map(({ id, name }) => ({ id, name }));
