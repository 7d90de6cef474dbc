/**
 * Signing keys, generated fresh at startup (nothing secret is ever committed).
 * Newest key first: oidc-provider signs with the first key that fits RS256,
 * and keeps publishing the older ones in the JWKS so tokens signed before a
 * rotation still verify.
 */
import { generateKeyPair, randomBytes, type JsonWebKey } from "node:crypto";
import { promisify } from "node:util";

const generateRsaKeyPair = promisify(generateKeyPair);

export type SigningJwk = JsonWebKey & { kid: string; alg: "RS256"; use: "sig" };

export async function createSigningKey(): Promise<SigningJwk> {
  const { privateKey } = await generateRsaKeyPair("rsa", { modulusLength: 2048 });
  const jwk = privateKey.export({ format: "jwk" });
  return { ...jwk, kid: `stand-in-${randomBytes(6).toString("hex")}`, alg: "RS256", use: "sig" };
}

/** Random keys for oidc-provider's signed cookies; stable for the life of one stand-in. */
export function createCookieKeys(): string[] {
  return [randomBytes(32).toString("base64url")];
}
