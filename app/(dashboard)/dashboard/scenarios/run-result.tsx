/**
 * The result of the "Run now" the page was sent back with (`?run=<request key>`): the recorded run of this
 * user, followed at Make while it runs (./run-status.ts, polled by RunProgress), and the scenario's last
 * few runs.
 */
import { RunProgress } from "@/components/make/run-progress";
import { RecentRuns, ScenarioRunResult } from "@/components/make/scenario-run-result";
import { Notice } from "@/components/ui/notice";
import { loadRunView, recentRuns } from "./run-status";

export async function RunResult({ userId, requestKey }: { userId: string; requestKey: string }) {
  if (requestKey === "too_many") {
    return (
      <section aria-label="Scenario run" id="run-result">
        <ScenarioRunResult run={null} tooMany />
      </section>
    );
  }
  if (requestKey === "zone_unknown") {
    return (
      <section aria-label="Scenario run" id="run-result">
        <Notice tone="error" role="alert" data-run-result="zone_unknown">
          This scenario cannot be run from here: Make did not say which zone its organization lives in, and a
          run must be asked for in that zone. Open the scenario at Make and run it there.
        </Notice>
      </section>
    );
  }
  const run = requestKey === "invalid" ? null : await loadRunView(userId, requestKey);
  const runs = run ? await recentRuns(userId, run.scenarioId, run.requestKey) : [];
  return (
    <section aria-label="Scenario run" id="run-result">
      {run ? (
        <RunProgress initial={run} url={`/dashboard/scenarios/runs/${encodeURIComponent(requestKey)}`} />
      ) : (
        <ScenarioRunResult run={null} />
      )}
      <RecentRuns runs={runs} />
    </section>
  );
}
