/**
 * Sign-in and sessions, for pages, routes and actions: who is signed in (`currentUser`, `requireUser`,
 * one database round trip per request), the providers to offer, the sign-in dance (connect, reconnect and
 * grant access included) and its failures. The auth route's handlers: lib/auth/route-handlers.ts.
 */
import "server-only";

export {
  currentUser,
  currentSessionTimes,
  requireUser,
  currentSessionKey,
  clearSessionCookie,
  markAccountDeleted,
  accountJustDeleted,
  type SignedInUser,
} from "@/lib/auth/session";
export { signInChoices } from "@/lib/auth/providers";
export { startSignIn, connectMake } from "@/lib/auth/sign-in";
export { isSignInFailure, SIGN_IN_FAILURES, type SignInFailure } from "@/lib/auth/sign-in-errors";
export { deleteExpiredSessions } from "@/lib/auth/expired-sessions";
export { safeRedirectPath } from "@/lib/safe-redirect";
