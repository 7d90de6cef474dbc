"use server";
/**
 * "Grant access": incremental consent. Sends the user to Make asking for the scopes already configured
 * plus the missing ones, and back to the page that needed them. The same sign-in flow as Reconnect, so
 * the tokens of the user's one Make account are replaced (a different Make login is refused there).
 */
import { redirect } from "next/navigation";
import { signIn } from "@/auth";
import { requireUser } from "@/lib/auth/session";
import { safeRedirectPath } from "@/lib/auth/safe-redirect";
import { signInDestination } from "@/lib/auth/sign-in-errors";
import { requestedScopes } from "@/lib/env";

/** Make's scope names look like `scenarios:read`; nothing else is passed on to the authorization request. */
const SCOPE_NAME = /^[a-z][a-z-]*:[a-z]+$/;

export async function grantAccess(formData: FormData) {
  const returnTo = safeRedirectPath(String(formData.get("returnTo") ?? ""), "/dashboard");
  await requireUser(returnTo);
  const missing = String(formData.get("scope") ?? "")
    .split(/[\s,]+/)
    .filter((scope) => SCOPE_NAME.test(scope));
  if (missing.length === 0) redirect(returnTo);
  const scope = [...new Set([...requestedScopes(), ...missing])].join(" ");
  redirect(
    await signInDestination(() => signIn("make", { redirectTo: returnTo, redirect: false }, { scope })),
  );
}
