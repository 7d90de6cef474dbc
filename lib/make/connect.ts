/**
 * The one sign-in dance, for "Sign in with …", "Connect Make", "Reconnect" and "Grant access": a server
 * action calls it and the browser goes to the provider, or to the error page with a reason a person can
 * act on. Grant access asks Make for the configured scopes plus the missing ones, but only scopes the app
 * knows it may need (GRANTABLE_SCOPES in lib/make/calls.ts): a form field
 * cannot widen the grant to anything else.
 */
import "server-only";
import { redirect } from "next/navigation";
import { requestedScopes } from "@/lib/env";
import { safeRedirectPath } from "@/lib/safe-redirect";
import { GRANTABLE_SCOPES } from "@/lib/make/calls";
import { MAKE_PROVIDER_ID } from "@/lib/make/provider-id";
import { signInDestination } from "@/lib/make/sign-in-errors";

/** Scopes "Grant access" may ask for. */
export function grantableScopes(): Set<string> {
  return new Set([...requestedScopes(), ...GRANTABLE_SCOPES]);
}

/** Starts a sign-in with `provider` and redirects the browser; never returns. */
export async function startSignIn(
  provider: string,
  options: { returnTo?: unknown; scope?: string } = {},
): Promise<never> {
  const redirectTo = safeRedirectPath(options.returnTo);
  // Imported here: auth.ts wires this module into Auth.js, so a static import would be circular.
  const { signIn } = await import("@/auth");
  const params = options.scope ? { scope: options.scope } : undefined;
  redirect(await signInDestination(() => signIn(provider, { redirectTo, redirect: false }, params)));
}

/**
 * Connect, reconnect, or grant access: a sign-in with Make for the signed-in user's one Make account
 * (a different Make login is refused on the account-mismatch page). `missingScopes` adds scopes to the
 * configured ones, those in `grantableScopes()` only; when none of them is, the browser just goes back.
 */
export async function connectMake(
  options: { returnTo?: unknown; missingScopes?: string[] } = {},
): Promise<never> {
  if (!options.missingScopes) return startSignIn(MAKE_PROVIDER_ID, { returnTo: options.returnTo });
  const allowed = grantableScopes();
  const missing = options.missingScopes.filter((scope) => allowed.has(scope));
  if (missing.length === 0) redirect(safeRedirectPath(options.returnTo));
  const scope = [...new Set([...requestedScopes(), ...missing])].join(" ");
  return startSignIn(MAKE_PROVIDER_ID, { returnTo: options.returnTo, scope });
}
