/**
 * Forged id_tokens for the relying-party attack tests (the OpenID Foundation's `rp-id_token-*` cases):
 * the stand-in decodes the id_token oidc-provider issued, changes one thing, and signs it again with its own
 * current key, so exactly that one thing is wrong. `jose` (oidc-provider's own JOSE library) does the
 * signing; nothing here is hand-written crypto.
 */
import { randomBytes } from "node:crypto";
import {
  SignJWT,
  base64url,
  decodeJwt,
  generateKeyPair,
  importJWK,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from "jose";

import type { SigningJwk } from "./keys";

export const ID_TOKEN_TAMPERS = [
  "wrong_aud", // issued to another client
  "wrong_iss", // issued by another server
  "expired", // exp an hour ago
  "future_iat", // iat (and exp) a day ahead
  "bad_signature", // claims intact, signature bytes altered
  "alg_none", // unsigned: header alg "none", empty signature
  "unknown_key", // validly signed, but with a key the JWKS does not publish
  "wrong_nonce", // nonce that the client did not send
  "no_nonce", // nonce removed
  "no_aud", // aud removed
  "no_sub", // sub removed
  "no_iat", // iat removed
  "no_kid", // validly signed with the current key, its header naming no kid
  "other_sub", // validly signed, about another Make user (sub 1002)
] as const;

export type IdTokenTamper = (typeof ID_TOKEN_TAMPERS)[number];

/** The `iss` a forged id_token claims, and the `aud` of one issued to somebody else. */
export const FOREIGN_ISSUER = "https://attacker.example";
export const FOREIGN_AUDIENCE = "some-other-client";

interface Signer {
  kid: string;
  key: CryptoKey | Uint8Array;
}

let unknownSigner: Promise<Signer> | undefined;

/** One RSA key per process that no JWKS ever publishes. */
function unknownKey(): Promise<Signer> {
  unknownSigner ??= generateKeyPair("RS256").then(({ privateKey }) => ({
    kid: `unknown-${randomBytes(6).toString("hex")}`,
    key: privateKey,
  }));
  return unknownSigner;
}

async function standInKey(jwk: SigningJwk): Promise<Signer> {
  return { kid: jwk.kid, key: await importJWK(jwk as JWK, "RS256") };
}

/** The Make user an `other_sub` id_token names. */
export const OTHER_SUB = "1002";

function sign(claims: JWTPayload, signer: Signer, header: { kid?: false } = {}): Promise<string> {
  const protectedHeader = header.kid === false ? { alg: "RS256" } : { alg: "RS256", kid: signer.kid };
  return new SignJWT(claims).setProtectedHeader(protectedHeader).sign(signer.key);
}

const without = (claims: JWTPayload, name: string): JWTPayload =>
  Object.fromEntries(Object.entries(claims).filter(([key]) => key !== name));

export async function tamperIdToken(
  idToken: string,
  tamper: IdTokenTamper,
  signingKey: SigningJwk,
): Promise<string> {
  const claims = decodeJwt(idToken);
  const now = Math.floor(Date.now() / 1000);
  switch (tamper) {
    case "wrong_aud":
      return sign({ ...claims, aud: FOREIGN_AUDIENCE }, await standInKey(signingKey));
    case "wrong_iss":
      return sign({ ...claims, iss: FOREIGN_ISSUER }, await standInKey(signingKey));
    case "expired":
      return sign({ ...claims, iat: now - 7200, exp: now - 3600 }, await standInKey(signingKey));
    case "future_iat":
      return sign({ ...claims, iat: now + 86_400, exp: now + 90_000 }, await standInKey(signingKey));
    case "wrong_nonce":
      return sign({ ...claims, nonce: "a-nonce-this-client-never-sent" }, await standInKey(signingKey));
    case "no_nonce": {
      const { nonce: _removed, ...rest } = claims;
      return sign(rest, await standInKey(signingKey));
    }
    case "unknown_key":
      return sign(claims, await unknownKey());
    case "no_aud":
    case "no_sub":
    case "no_iat":
      return sign(without(claims, tamper.slice(3)), await standInKey(signingKey));
    case "no_kid":
      return sign(claims, await standInKey(signingKey), { kid: false });
    case "other_sub":
      return sign({ ...claims, sub: OTHER_SUB }, await standInKey(signingKey));
    case "bad_signature": {
      const [header, payload, signature = ""] = idToken.split(".");
      const bytes = base64url.decode(signature);
      bytes[0] = (bytes[0] ?? 0) ^ 0xff;
      return `${header}.${payload}.${base64url.encode(bytes)}`;
    }
    case "alg_none": {
      const [, payload] = idToken.split(".");
      return `${base64url.encode(JSON.stringify({ alg: "none", typ: "JWT" }))}.${payload}.`;
    }
  }
}
