/**
 * The Make connection for operations: the cron route, the health route, the long-running server's sweep
 * and the scripts (`make:doctor`, `tokens:rotate-key`). Product code uses `@/lib/make`. Export a name here
 * when a scheduled job, a health check or a script needs it.
 */
import "server-only";

export { runMakeMaintenance, startRevocationSweep, type MaintenanceReport } from "@/lib/make/ops/maintenance";
export { deliverMakeEvents, type EventRun } from "@/lib/make/connection/outbox";
export { lapseAbandonedConnections, type LapseReport } from "@/lib/make/connection/lapse";
export { sweepForgottenSessions } from "@/lib/make/connection/forget";
export { reencryptAllTokens, UnknownKeysError, type RotationReport } from "@/lib/make/ops/rotate-key";
export { checkMakeHealth } from "@/lib/make/ops/health";
export { runMakeDoctor, type DoctorCheck } from "@/lib/make/ops/doctor";
