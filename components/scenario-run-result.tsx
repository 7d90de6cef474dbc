/**
 * The outcome of a "Run now": the execution Make started and its status as Make reports it, or Make's
 * refusal in Make's words. Make's texts are untrusted: React renders them as text.
 */
interface RunView {
  scenarioId: number;
  status: string;
  executionId: string | null;
  problemKind: string | null;
  problemMessage: string | null;
}

const box = "rounded-xl border p-5 text-sm";
const okBox = `${box} border-emerald-200 bg-emerald-50 text-emerald-950 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-100`;
const errorBox = `${box} border-red-200 bg-red-50 text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100`;

export function ScenarioRunResult({
  run,
  makeStatus,
  tooMany,
}: {
  run: RunView | null;
  /** What Make says about the execution now, or why it could not be asked. */
  makeStatus?: { status: string } | { problem: string };
  /** The user started as many runs as a minute allows; this one was not started. */
  tooMany?: boolean;
}) {
  if (tooMany) {
    return (
      <p role="alert" data-run-result="too_many" className={errorBox}>
        Too many runs started in the last minute; this one was not started. Try again in a minute.
      </p>
    );
  }
  if (!run) {
    return (
      <p role="alert" data-run-result="invalid" className={errorBox}>
        That run request is not valid here; nothing was started.
      </p>
    );
  }
  if (run.status === "started" && run.executionId) {
    return (
      <div role="status" data-run-result="started" className={okBox}>
        <p className="font-medium">Scenario {run.scenarioId} was started at Make.</p>
        <p className="mt-1">
          Execution{" "}
          <code data-run-execution className="font-mono">
            {run.executionId}
          </code>
          {makeStatus && "status" in makeStatus && (
            <>
              {" "}
              · status <strong data-run-status>{makeStatus.status}</strong>
            </>
          )}
        </p>
        {makeStatus && "problem" in makeStatus && <p className="mt-1">{makeStatus.problem}</p>}
      </div>
    );
  }
  if (run.status === "starting") {
    return (
      <p role="status" data-run-result="starting" className={okBox}>
        Scenario {run.scenarioId} is being started. Reload in a moment.
      </p>
    );
  }
  return (
    <div role="alert" data-run-result={run.status} data-make-error={run.problemKind} className={errorBox}>
      <p className="font-medium">
        {run.status === "unknown"
          ? `Make did not answer; scenario ${run.scenarioId} may or may not have started. Check its history at Make before running it again.`
          : `Make did not run scenario ${run.scenarioId}.`}
      </p>
      {run.problemMessage && <p className="mt-1">{run.problemMessage}</p>}
    </div>
  );
}
