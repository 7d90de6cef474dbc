/**
 * Sign-in and sessions, for pages, routes and actions: who is signed in (`currentUser`, `requireUser`,
 * one database round trip per request), the providers to offer, and the auth route's request handling.
 */
import "server-only";
import { withSignInErrorReasons as withReasons } from "@/lib/auth/sign-in-errors";
import { ACCOUNT_MISMATCH_PAGE, noteMakeCallback } from "@/lib/make/auth";

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

/** The auth route's sign-in error handling, with the Make connection's account-mismatch page and callback note. */
export const withSignInErrorReasons = (handler: Parameters<typeof withReasons>[0]) =>
  withReasons(handler, { onSignedIn: noteMakeCallback, accountMismatchPage: ACCOUNT_MISMATCH_PAGE });
export { withPublicUrl, withRedirectProxyAllowlist } from "@/lib/auth/public-url";
export { withoutSignInQuery } from "@/lib/auth/sign-in-query";
export { deleteExpiredSessions } from "@/lib/auth/expired-sessions";
export { safeRedirectPath } from "@/lib/safe-redirect";
