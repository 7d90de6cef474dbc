/**
 * The Make connection for product code: pages, route handlers and server actions. `auth.ts` and lib/auth
 * use `@/lib/make/auth`; cron, health and scripts use `@/lib/make/ops`. Export a name here only when a
 * product needs it: the insides stay private (the linter), and lib/make/README.md maps them.
 */
import "server-only";

// A Make API client for a user, and the calls
export { MakeApi } from "@/lib/make/client/api";
export * from "@/lib/make/client/calls";
export { collectPages } from "@/lib/make/client/pagination";
export { parseMakeAnswer, listPage } from "@/lib/make/client/answer";
export { cachedMakeAnswer, isCachedMakeAnswer } from "@/lib/make/client/cache";
export { makeProfile, type MakeIdentity, type OrganizationReach } from "@/lib/make/client/profile";

// The connection: status, revoke, forget, export, its events
export { connectionStatus } from "@/lib/make/connection/status";
export type { ConnectionStatus } from "@/lib/make/connection/status";
export { revokeMakeConnection, deliverPendingRevocations } from "@/lib/make/connection/revoke";
export { forgetMakeUser } from "@/lib/make/connection/forget";
export { exportMakeData } from "@/lib/make/connection/export";

// Errors, and their wording
export { MakeApiError, MakeConnectionError, describeMakeProblem } from "@/lib/make/connection/errors";
