/**
 * The Make connection's part in sign-in, for `auth.ts` and lib/auth only: the provider, its Auth.js
 * wiring, the scopes a sign-in may ask for, and the session read's piece about the connection. Export a
 * name here only when auth.ts or lib/auth needs it.
 */
import "server-only";

export { Make, type MakeProfile } from "@/lib/make/sign-in/provider";
export { MAKE_PROVIDER_ID } from "@/lib/make/connection/provider-id";
export { makeAuthWiring, noteMakeCallback, ACCOUNT_MISMATCH_PAGE } from "@/lib/make/sign-in/wiring";
export { makeSignInScope } from "@/lib/make/sign-in/scopes";
export {
  sessionConnectionSql,
  readSessionConnection,
  type SessionConnection,
} from "@/lib/make/connection/session-row";
export { preloadConnection } from "@/lib/make/connection/status";
