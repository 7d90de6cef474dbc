/**
 * The scopes a sign-in with Make asks for. "Grant access" adds missing scopes to the configured ones, but
 * only scopes the app knows it may need (GRANTABLE_SCOPES beside the calls), so a form field cannot widen
 * the grant to anything else.
 */
import "server-only";
import { env, requestedScopes } from "@/lib/env";
import { GRANTABLE_SCOPES } from "@/lib/make/client/calls";

/** Scopes "Grant access" may ask for. */
export function grantableScopes(): Set<string> {
  const extra = env.AUTH_MAKE_GRANTABLE_SCOPES?.split(/[\s,]+/).filter(Boolean) ?? [];
  return new Set([...requestedScopes(), ...GRANTABLE_SCOPES, ...extra]);
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
