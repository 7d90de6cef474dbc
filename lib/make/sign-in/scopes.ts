/**
 * The scopes a sign-in with Make asks for. "Grant access" adds missing scopes to the configured ones, but
 * only scopes the app knows it may need (the starter's GRANTABLE_SCOPES beside its calls, and the product's
 * own in lib/make-scopes.ts), so a form field cannot widen the grant to anything else. Scopes are added
 * there, not here.
 */
import "server-only";
import { requestedScopes } from "@/lib/env";
import { PRODUCT_MAKE_SCOPES } from "@/lib/make-scopes";
import { GRANTABLE_SCOPES } from "@/lib/make/client/calls";

/** The scopes calls need, the starter's and the product's: what Grant access may add to the configured ones. */
export const callScopes = (): string[] => [...GRANTABLE_SCOPES, ...PRODUCT_MAKE_SCOPES];

/** Scopes "Grant access" may ask for. */
export function grantableScopes(): Set<string> {
  return new Set([...requestedScopes(), ...callScopes()]);
}

/**
 * The `scope` of a sign-in that grants `missingScopes`: the configured scopes plus those of them that are
 * grantable; null when none is (nothing to ask Make for).
 */
export function makeSignInScope(missingScopes: string[]): string | null {
  const allowed = grantableScopes();
  const missing = missingScopes.filter((scope) => allowed.has(scope));
  return missing.length ? [...new Set([...requestedScopes(), ...missing])].join(" ") : null;
}
