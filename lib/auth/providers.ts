/**
 * The sign-in providers. Add a provider here: Make's own account handling (token lifecycle, one Make
 * account per user) applies to the Make provider only, so any other provider is stored by Auth.js's
 * adapter as it comes. The second provider below exists for the test suite alone (it proves exactly that).
 * @see https://authjs.dev/getting-started/authentication/oauth
 */
import type { Provider } from "next-auth/providers";
import { env } from "@/lib/env";
import { Make } from "@/lib/make/provider";

/** The provider id of the test suite's second OpenID provider (a second client of the local stand-in). */
export const TEST_OIDC_PROVIDER_ID = "test-oidc";

function testOidcProvider(): Provider[] {
  if (!env.TEST_OIDC_ISSUER || !env.TEST_OIDC_ID) return [];
  return [
    {
      id: TEST_OIDC_PROVIDER_ID,
      name: "Test OIDC",
      type: "oidc",
      issuer: env.TEST_OIDC_ISSUER,
      clientId: env.TEST_OIDC_ID,
      clientSecret: env.TEST_OIDC_SECRET,
      client: { token_endpoint_auth_method: "client_secret_post" },
      checks: ["pkce", "state"],
      idToken: false,
    },
  ];
}

export const signInProviders = (): Provider[] => [Make(), ...testOidcProvider()];
