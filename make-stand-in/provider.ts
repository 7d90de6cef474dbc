/**
 * oidc-provider configured like Make's OAuth 2.0 / OpenID Connect server (paths, client authentication,
 * scopes, claims, lifetimes, refresh-token behaviour). Where Make's answers differ from oidc-provider's,
 * make-answers.ts rewrites them; edit this file to change what oidc-provider itself does.
 */
import Provider, { interactionPolicy, type AdapterFactory, type Configuration } from "oidc-provider";

import { clientMetadata } from "./clients";
import type { StandInState } from "./controls";
import { escapeHtml, page } from "./html";
import type { SigningJwk } from "./keys";
import { makeAnswers } from "./make-answers";
import { tamperResponses } from "./tamper";
import { findUserBySub } from "./users";

export const MAKE_SCOPES = [
  "openid",
  "user:read",
  "organizations:read",
  "teams:read",
  "scenarios:read",
  "scenarios:run",
  "templates:read",
] as const;

export const MAKE_ROUTES = {
  authorization: "/oauth/v2/authorize",
  token: "/oauth/v2/token",
  jwks: "/oauth/v2/oidc/jwks",
  userinfo: "/oauth/v2/oidc/userinfo",
  revocation: "/oauth/v2/revoke",
} as const;

export const DISCOVERY_PATH = "/.well-known/openid-configuration";

export interface ProviderSetup {
  issuer: string;
  redirectUris: readonly string[];
  state: StandInState;
  store: AdapterFactory;
  keys: readonly SigningJwk[];
  cookieKeys: string[];
}

const DAY = 24 * 60 * 60;

/**
 * The consent prompt asks again for every requested scope the grant does not hold (so "Grant access" for
 * a scope the user once left out shows the consent page), except right after the user answered it: what
 * they unticked there is simply not granted.
 */
function consentPerScope() {
  const policy = interactionPolicy.base();
  const consent = policy.get("consent")!;
  const index = consent.checks.findIndex((check) => check.reason === "op_scopes_missing");
  consent.checks.splice(
    index,
    1,
    new interactionPolicy.Check(
      "op_scopes_missing",
      "requested scopes not granted",
      "consent_required",
      (ctx) => {
        const { oidc } = ctx;
        if (oidc.result?.consent) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
        const granted = new Set(oidc.grant?.getOIDCScope().split(" "));
        const missing = [...oidc.requestParamOIDCScopes].filter((scope) => !granted.has(scope));
        return missing.length
          ? interactionPolicy.Check.REQUEST_PROMPT
          : interactionPolicy.Check.NO_NEED_TO_PROMPT;
      },
      ({ oidc }) => {
        const granted = new Set(oidc.grant?.getOIDCScope().split(" "));
        return { missingOIDCScope: [...oidc.requestParamOIDCScopes].filter((scope) => !granted.has(scope)) };
      },
    ),
  );
  return policy;
}

export function createProvider(setup: ProviderSetup): Provider {
  const { issuer, state } = setup;

  const configuration: Configuration = {
    adapter: setup.store,
    clients: clientMetadata(setup.redirectUris, state.config),
    clientAuthMethods: ["client_secret_post", "none"],
    responseTypes: ["code"],
    scopes: [...MAKE_SCOPES],
    // Userinfo may return these for any `openid` token when `userinfoProfile` is on; the id_token gets
    // only `sub` (see `claims()` below) and discovery advertises only `sub`, like Make.
    claims: { openid: ["sub", "name", "email", "picture"] },
    jwks: { keys: [...setup.keys] },
    cookies: { keys: setup.cookieKeys },
    routes: MAKE_ROUTES,

    features: {
      devInteractions: { enabled: false },
      revocation: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
      },
      userinfo: { enabled: true },
      // Make supports none of these; keeping them off keeps discovery honest and
      // makes tokens plain opaque bearer tokens with no audience, which is what
      // lets the userinfo endpoint accept them.
      resourceIndicators: { enabled: false },
      dPoP: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
      rpInitiatedLogout: { enabled: false },
    },

    // PKCE is mandatory for the public client, optional for the confidential one.
    pkce: { required: (_ctx, client) => client.clientAuthMethod === "none" },

    // Make issues refresh tokens on every code exchange without offline_access or
    // prompt=consent, to confidential clients; "typically" not to public ones.
    issueRefreshToken: async (_ctx, client) =>
      client.grantTypeAllowed("refresh_token") &&
      (client.clientAuthMethod !== "none" || state.config.publicRefreshTokens),
    rotateRefreshToken: () => state.config.refreshTokenRotation === "rotate",
    // Tokens must outlive the browser session at the stand-in (the app keeps them).
    expiresWithSession: async () => false,

    // Make's "Token expiration" page: access token 5 minutes (a switch), code 5 minutes, refresh token 6 months.
    ttl: {
      AccessToken: () => state.config.accessTokenTtl,
      AuthorizationCode: 300,
      IdToken: 3600,
      RefreshToken: 180 * DAY,
      Interaction: 3600,
      Session: 14 * DAY,
      Grant: 180 * DAY,
    },

    findAccount: async (_ctx, sub) => {
      const user = findUserBySub(sub);
      if (!user) return undefined;
      return {
        accountId: user.sub,
        claims: (use) => {
          if (use === "id_token" || !state.config.userinfoProfile) return { sub: user.sub };
          return {
            sub: user.sub,
            name: user.name,
            email: user.email,
            picture: user.picture ? new URL(user.picture, issuer).href : undefined,
          };
        },
      };
    },

    interactions: {
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
      policy: consentPerScope(),
    },

    renderError: async (ctx, out) => {
      ctx.type = "html";
      const details = Object.entries(out)
        .map(
          ([key, value]) => `<p><strong>${escapeHtml(key)}</strong>: <code>${escapeHtml(value)}</code></p>`,
        )
        .join("\n");
      ctx.body = page("Sign-in error", details);
    },
  };

  const provider = new Provider(issuer, configuration);

  provider.use(
    tamperResponses({
      tamper: () => state.tampering,
      stats: () => state.stats.tampered,
      redirectUris: setup.redirectUris,
      signingKey: setup.keys[0]!,
      issInAuthorizationResponse: () => state.config.issInAuthorizationResponse,
    }),
  );
  // Registered after (so inside) the tamper switches: it sees the genuine answer first.
  provider.use(makeAnswers({ state, signingKey: setup.keys[0]! }));

  return provider;
}
