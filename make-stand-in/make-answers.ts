/**
 * Where Make's answers differ from oidc-provider's, this middleware rewrites them after the provider
 * produced them: Make's discovery document as Make publishes it, token responses without `scope`, the
 * refresh-answer switches (which id_token, whether a refresh_token comes back) and revocation with 204.
 * Edit it when Make's published answers change.
 */
import type Provider from "oidc-provider";
import type { KoaContextWithOIDC } from "oidc-provider";

import type { StandInState } from "./controls";
import { tamperIdToken } from "./id-token-tamper";
import type { SigningJwk } from "./keys";

export interface MakeAnswersDeps {
  state: StandInState;
  /** The key oidc-provider signs with now (for an expired id_token in refresh answers). */
  signingKey: SigningJwk;
}

type Middleware = Parameters<Provider["use"]>[0];
type Body = Record<string, unknown>;

const isRecord = (value: unknown): value is Body => typeof value === "object" && value !== null;

/**
 * Make's discovery document, field for field. Refresh and public clients (`none`) work all the same:
 * Make documents them on other pages. `rename_connection_endpoint` is Make's own; what it does is not
 * documented, so the stand-in does not serve it.
 */
function makeDiscovery(body: Body, announceIss: boolean): Body {
  const tokenEndpoint = String(body.token_endpoint);
  return {
    issuer: body.issuer,
    authorization_endpoint: body.authorization_endpoint,
    token_endpoint: tokenEndpoint,
    jwks_uri: body.jwks_uri,
    userinfo_endpoint: body.userinfo_endpoint,
    revocation_endpoint: body.revocation_endpoint,
    rename_connection_endpoint: new URL("rename", tokenEndpoint).href,
    request_uri_parameter_supported: true,
    response_types_supported: ["code"],
    subject_types_supported: ["public"],
    id_token_signing_alg_values_supported: ["RS256"],
    scopes_supported: ["openid"],
    claims_supported: ["sub"],
    grant_types_supported: ["authorization_code"],
    token_endpoint_auth_methods_supported: ["client_secret_post"],
    code_challenge_methods_supported: ["S256"],
    // Only with the switch that also sends `iss` (RFC 9207): Make's own document does not announce it.
    ...(announceIss ? { authorization_response_iss_parameter_supported: true } : {}),
  };
}

async function shapeTokenAnswer(body: Body, oidc: KoaContextWithOIDC["oidc"], deps: MakeAnswersDeps) {
  // Make's token responses carry no `scope`: granted scopes come from /users/me/current-authorization.
  delete body.scope;
  const { config, signInIdTokens } = deps.state;
  const grantId = oidc.entities.AccessToken?.grantId;
  const grantType = oidc.params?.grant_type;
  if (grantType === "authorization_code") {
    if (grantId && typeof body.id_token === "string") signInIdTokens.set(grantId, body.id_token);
    return;
  }
  if (grantType !== "refresh_token") return;
  if (config.refreshTokenRotation === "omitted") delete body.refresh_token;
  if (typeof body.id_token !== "string") return;
  switch (config.refreshIdToken) {
    case "none":
      delete body.id_token;
      break;
    case "original": {
      const original = grantId && signInIdTokens.get(grantId);
      if (original) body.id_token = original;
      break;
    }
    case "expired":
      body.id_token = await tamperIdToken(body.id_token, "expired", deps.signingKey);
      break;
    case "other_sub":
      body.id_token = await tamperIdToken(body.id_token, "other_sub", deps.signingKey);
      break;
    case "other_iss":
      body.id_token = await tamperIdToken(body.id_token, "wrong_iss", deps.signingKey);
      break;
    case "other_aud":
      body.id_token = await tamperIdToken(body.id_token, "wrong_aud", deps.signingKey);
      break;
    case "new":
      break;
  }
}

export function makeAnswers(deps: MakeAnswersDeps): Middleware {
  return async (ctx, next) => {
    await next();
    const { oidc } = ctx as KoaContextWithOIDC;
    if (!oidc) return;
    if (oidc.route === "discovery" && isRecord(ctx.body)) {
      const { issInAuthorizationResponse, discoveryIssuer } = deps.state.config;
      ctx.body = makeDiscovery(ctx.body, issInAuthorizationResponse);
      if (discoveryIssuer) (ctx.body as Body).issuer = discoveryIssuer;
    } else if (oidc.route === "token" && ctx.status === 200 && isRecord(ctx.body))
      await shapeTokenAnswer(ctx.body, oidc, deps);
    else if (
      oidc.route === "revocation" &&
      ctx.status === 200 &&
      deps.state.config.revocationAnswer === "204"
    ) {
      ctx.body = null;
      ctx.status = 204;
    }
  };
}
