/**
 * The Make connection: the one door pages, route handlers, server actions, cron jobs and scripts use.
 * Everything else in lib/make/ is inside (the linter keeps it so); lib/make/README.md explains what is.
 *
 *   const api = await MakeApi.forUser(userId);            // a Make API client for a user, anywhere
 *   const orgs = await makeProfile.organizations(api);    // cached per token
 *   const { status, events } = await connectionStatus(userId);
 *   await revokeMakeConnection(userId);
 *   await connectMake({ returnTo, missingScopes });      // in a server action: connect, reconnect, grant
 *   describeMakeProblem(error).message;                  // any of the errors below, in words
 */
import "server-only";

// The client and the calls
export { MakeApi, type MakeCallOptions } from "@/lib/make/api";
export * from "@/lib/make/calls";
export { collectPages, type PageRequest, type CollectedPages } from "@/lib/make/pagination";
export {
  makeProfile,
  type MakeIdentity,
  type OrganizationReach,
  type TeamScenarios,
} from "@/lib/make/profile";

// The connection
export { connectionStatus, preloadConnection } from "@/lib/make/status";
export type { ConnectionStatus, ConnectionStateName, ConnectionView } from "@/lib/make/status";
export { RECENT_EVENTS, type ConnectionEventKind } from "@/lib/make/events";
export { revokeMakeConnection, deliverPendingRevocations } from "@/lib/make/revoke";
export { forgetMakeUser } from "@/lib/make/forget";
export type {
  MakeConnectionEvent,
  MakeConnectionEventData,
  MakeConnectionEventName,
} from "@/lib/make/outbox";
export { connectMake, startSignIn } from "@/lib/make/connect";
export { exportMakeData } from "@/lib/make/export";

// Errors
export { MakeApiError, MakeConnectionError, describeMakeProblem } from "@/lib/make/errors";
export type { MakeApiFailure, MakeProblem, ConnectionUnavailableReason } from "@/lib/make/errors";

// Auth.js wiring (auth.ts) and the sign-in pages
export { Make, type MakeProfile } from "@/lib/make/provider";
export { MAKE_PROVIDER_ID } from "@/lib/make/provider-id";
export { makeAuthWiring } from "@/lib/make/sign-in";
export {
  withSignInErrorReasons,
  isSignInFailure,
  SIGN_IN_FAILURES,
  type SignInFailure,
} from "@/lib/make/sign-in-errors";

// Background work (cron, the long-running server, scripts)
export { runMakeMaintenance, startRevocationSweep, type MaintenanceReport } from "@/lib/make/maintenance";
export { deliverMakeEvents, type EventRun } from "@/lib/make/outbox";
export { lapseAbandonedConnections, type LapseReport } from "@/lib/make/lapse";
export { sweepForgottenSessions } from "@/lib/make/forget";
export { reencryptAllTokens, UnknownKeysError, type RotationReport } from "@/lib/make/rotate-key";
export { checkMakeHealth } from "@/lib/make/health";
export { runMakeDoctor, type DoctorCheck } from "@/lib/make/doctor";
export { disconnectDatabase } from "@/lib/make/doctor";
