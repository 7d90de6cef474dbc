/**
 * Sign-in and sessions, for pages, routes and actions: who is signed in (`currentUser`, `requireUser`,
 * one database round trip per request), the providers to offer, and the auth route's request handling.
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
export {
  withSignInErrorReasons,
  isSignInFailure,
  SIGN_IN_FAILURES,
  type SignInFailure,
} from "@/lib/auth/sign-in-errors";
export { withPublicUrl, withRedirectProxyAllowlist } from "@/lib/auth/public-url";
export { withoutSignInQuery } from "@/lib/auth/sign-in-query";
export { deleteExpiredSessions } from "@/lib/auth/expired-sessions";
export { safeRedirectPath } from "@/lib/safe-redirect";
