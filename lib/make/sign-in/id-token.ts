/**
 * Verifies the signature and `iat` of the id_token from the code exchange against Make's keys (jwks_uri),
 * with jose, since oauth4webapi leaves both to TLS (why not here: ./README.md). The key set is fetched again
 * whenever a token names a key it lacks. Edit it to check more of the id_token.
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
