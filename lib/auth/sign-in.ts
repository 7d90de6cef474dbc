/**
 * The one sign-in dance, for "Sign in with …", "Connect Make", "Reconnect" and "Grant access": a server
 * action calls it and the browser goes to the provider, or to the error page with a reason a person can
 * act on (lib/auth/sign-in-errors.ts).
 */
import "server-only";
import { redirect } from "next/navigation";
import { safeRedirectPath } from "@/lib/safe-redirect";
import { MAKE_PROVIDER_ID, makeSignInScope } from "@/lib/make/auth";
import { signInDestination } from "@/lib/auth/sign-in-errors";

/** Starts a sign-in with `provider` and redirects the browser; never returns. */
export async function startSignIn(
  provider: string,
  options: { returnTo?: unknown; scope?: string } = {},
): Promise<never> {
  const redirectTo = safeRedirectPath(options.returnTo);
  // Loaded when a sign-in starts: pages that only read the session do not need Auth.js's handlers.
  const { signIn } = await import("@/auth");
  const params = options.scope ? { scope: options.scope } : undefined;
  redirect(await signInDestination(() => signIn(provider, { redirectTo, redirect: false }, params)));
}

/**
 * Connect, reconnect, or grant access: a sign-in with Make for the signed-in user's one Make account
 * (a different Make login is refused on the account-mismatch page). `missingScopes` adds grantable scopes
 * to the configured ones; when none of them is grantable, the browser just goes back.
 */
export async function connectMake(
  options: { returnTo?: unknown; missingScopes?: string[] } = {},
): Promise<never> {
  if (!options.missingScopes) return startSignIn(MAKE_PROVIDER_ID, { returnTo: options.returnTo });
  const scope = makeSignInScope(options.missingScopes);
  if (!scope) redirect(safeRedirectPath(options.returnTo));
  return startSignIn(MAKE_PROVIDER_ID, { returnTo: options.returnTo, scope });
}
