/**
 * The result of the "Run now" the page was sent back with (`?run=<request key>`): the recorded run of
 * this user, and for a started one the execution's status, asked from Make at every view.
 */
import { db } from "@/lib/db";
import { describeMakeProblem, executionStatus, MakeApi } from "@/lib/make";
import { ScenarioRunResult } from "@/components/scenario-run-result";

async function askStatus(
  userId: string,
  run: { scenarioId: number; organizationId: number; zone: string; executionId: string },
) {
  try {
    const api = await MakeApi.forUser(userId);
    const organization = { id: run.organizationId, zone: run.zone, name: "" };
    return { status: await executionStatus(api, organization, run.scenarioId, run.executionId) };
  } catch (error) {
    return { problem: `Make could not say how it is going: ${describeMakeProblem(error).message}` };
  }
}

export async function RunResult({ userId, requestKey }: { userId: string; requestKey: string }) {
  if (requestKey === "too_many") {
    return (
      <section aria-label="Scenario run" id="run-result">
        <ScenarioRunResult run={null} tooMany />
      </section>
    );
  }
  const run =
    requestKey === "invalid"
      ? null
      : await db.scenarioRun.findUnique({ where: { userId_requestKey: { userId, requestKey } } });
  const makeStatus =
    run?.status === "started" && run.executionId
      ? await askStatus(userId, { ...run, executionId: run.executionId })
      : undefined;
  return (
    <section aria-label="Scenario run" id="run-result">
      <ScenarioRunResult run={run} makeStatus={makeStatus} />
    </section>
  );
}
