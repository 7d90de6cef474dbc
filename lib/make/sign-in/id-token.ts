/**
 * Verifies the signature and the issue time of the id_token Make returns from the code exchange.
 *
 * oauth4webapi (under Auth.js) checks `iss`, `aud`, `exp`, `nonce` and `alg` but, as OpenID Connect Core
 * §3.1.3.7 allows for a token received straight over TLS, not the signature nor `iat`. A starter people
 * build on should not lean on that allowance: a compromised TLS terminator or a mix-up would go unnoticed.
 * So the id_token is verified against Make's published keys (jwks_uri from discovery) with jose.
 *
 * The key set is cached, and fetched again whenever a token names a key it does not hold: no cooldown, so
 * a sign-in right after Make rotates its signing key still succeeds.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation
 */
import "server-only";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { env } from "@/lib/env";
import { authorizationServer, TOKEN_TIMEOUT_MS } from "@/lib/make/connection/authorization-server";

/** An id_token older than this at the code exchange is refused; a code is only valid for minutes anyway. */
const MAX_ID_TOKEN_AGE = "15m";
const CLOCK_TOLERANCE_SECONDS = 30;

let keySet: { uri: string; keys: ReturnType<typeof createRemoteJWKSet> } | undefined;

function makeKeys(uri: string) {
  if (keySet?.uri !== uri) {
    keySet = {
      uri,
      keys: createRemoteJWKSet(new URL(uri), {
        cooldownDuration: 0,
        timeoutDuration: TOKEN_TIMEOUT_MS,
      }),
    };
  }
  return keySet.keys;
}

/** Throws jose's errors (`ERR_JWS_*`, `ERR_JWT_*`, `ERR_JWKS_*`) when the id_token cannot be trusted. */
export async function verifyIdToken(idToken: string): Promise<void> {
  const as = await authorizationServer();
  if (!as.jwks_uri) throw new TypeError("Make's discovery document has no jwks_uri");
  await jwtVerify(idToken, makeKeys(as.jwks_uri), {
    issuer: as.issuer,
    audience: env.AUTH_MAKE_ID,
    algorithms: as.id_token_signing_alg_values_supported ?? ["RS256"],
    maxTokenAge: MAX_ID_TOKEN_AGE,
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
  });
}

/**
 * For the provider's `token.conform` hook: verifies the id_token in a token response and hands the
 * response on unchanged. Error responses have no id_token and pass through to Auth.js's own handling.
 */
export async function verifyIdTokenInResponse(response: Response): Promise<Response> {
  const body: unknown = await response
    .clone()
    .json()
    .catch(() => undefined);
  const idToken = (body as { id_token?: unknown } | undefined)?.id_token;
  if (typeof idToken === "string") await verifyIdToken(idToken);
  return response;
}
