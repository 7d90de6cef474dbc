/**
 * A "Run now" followed to its end: the user's recorded run and, while it runs, its status from Make (cached
 * per execution), asked only in an organization the user still belongs to. A finished status is written to
 * the run's row and never asked again. Edit it to change what the result panel and its route show.
 */
import "server-only";
import { db } from "@/lib/db";
import { describeMakeProblem, MakeApi, type ExecutionStatus } from "@/lib/make";
import { scenarioData } from "./data";
import type { RunView } from "@/components/make/scenario-run-result";

type RunRow = NonNullable<Awaited<ReturnType<typeof db.scenarioRun.findUnique>>>;

const viewOf = (run: RunRow): RunView => ({
  requestKey: run.requestKey,
  scenarioId: run.scenarioId,
  status: run.status,
  executionId: run.executionId,
  problemKind: run.problemKind,
  problemMessage: run.problemMessage,
  createdAt: run.createdAt.toISOString(),
  ...(run.executionStatus
    ? {
        execution: {
          status: run.executionStatus as ExecutionStatus,
          ...(run.executionError ? { errorMessage: run.executionError } : {}),
        },
      }
    : {}),
});

async function followExecution(userId: string, run: RunRow & { executionId: string }): Promise<RunView> {
  const view = viewOf(run);
  try {
    const api = await MakeApi.forUser(userId);
    const organization = await scenarioData.currentOrganization(api, run.organizationId, run.zone);
    if (!organization) {
      const message =
        "Make no longer lists you in the organization this run was in, so its progress is not asked.";
      return { ...view, statusProblem: { kind: "not_member", message } };
    }
    const execution = await scenarioData.execution(api, organization, run.scenarioId, run.executionId);
    if (execution.status !== "RUNNING") {
      await db.scenarioRun.updateMany({
        where: { id: run.id, executionStatus: null },
        data: {
          executionStatus: execution.status,
          executionError: execution.errorMessage ?? null,
          finishedAt: new Date(),
        },
      });
    }
    return { ...view, execution };
  } catch (error) {
    const { kind, message } = describeMakeProblem(error);
    return { ...view, statusProblem: { kind, message: `Make could not say how it is going: ${message}` } };
  }
}

/** The run of this user under `requestKey`, followed at Make while it runs; null when there is none. */
export async function loadRunView(userId: string, requestKey: string): Promise<RunView | null> {
  const run = await db.scenarioRun.findUnique({ where: { userId_requestKey: { userId, requestKey } } });
  if (!run) return null;
  if (run.status === "started" && run.executionId && !run.executionStatus)
    return followExecution(userId, { ...run, executionId: run.executionId });
  return viewOf(run);
}

/** The user's last few other runs of a scenario, newest first, as recorded (no call to Make). */
export async function recentRuns(
  userId: string,
  scenarioId: number,
  besides: string,
  take = 5,
): Promise<RunView[]> {
  const runs = await db.scenarioRun.findMany({
    where: { userId, scenarioId, requestKey: { not: besides } },
    orderBy: { createdAt: "desc" },
    take,
  });
  return runs.map(viewOf);
}
