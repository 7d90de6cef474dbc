/**
 * The outcome of a "Run now": the execution Make started and how it is going (RUNNING, then SUCCESS,
 * WARNING or ERROR with Make's own error message), or Make's refusal in Make's words, and the scenario's
 * last few runs. Make's texts are untrusted: React renders them as text.
 */
import type { ExecutionStatus } from "@/lib/make";

export interface RunView {
  requestKey: string;
  scenarioId: number;
  /** starting, started, refused, unknown (see ScenarioRun). */
  status: string;
  executionId: string | null;
  problemKind: string | null;
  problemMessage: string | null;
  /** The execution as Make last reported it. */
  execution?: { status: ExecutionStatus; errorMessage?: string };
  /** Why Make could not be asked how it is going. */
  statusProblem?: { kind: string; message: string };
  createdAt: string;
}

const box = "rounded-xl border p-5 text-sm";
const okBox = `${box} border-emerald-200 bg-emerald-50 text-emerald-950 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-100`;
const waitBox = `${box} border-sky-200 bg-sky-50 text-sky-950 dark:border-sky-800 dark:bg-sky-950 dark:text-sky-100`;
const warnBox = `${box} border-amber-300 bg-amber-50 text-amber-950 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100`;
const errorBox = `${box} border-red-200 bg-red-50 text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100`;

const EXECUTION_WORDS: Record<ExecutionStatus, string> = {
  RUNNING: "is running at Make",
  SUCCESS: "finished successfully",
  WARNING: "finished with warnings",
  ERROR: "ended with an error",
};

const boxOf = (status?: ExecutionStatus) =>
  status === "ERROR" ? errorBox : status === "WARNING" ? warnBox : status === "RUNNING" ? waitBox : okBox;

/** One run's outcome in a few words, for the list of recent runs. */
export function runOutcome(run: RunView): string {
  if (run.execution) return run.execution.status;
  if (run.status === "started") return "started";
  if (run.status === "starting") return "starting";
  if (run.status === "unknown") return "no answer from Make";
  return "refused by Make";
}

export function ScenarioRunResult({
  run,
  gaveUp,
  tooMany,
}: {
  run: RunView | null;
  gaveUp?: boolean;
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
    const status = run.execution?.status;
    return (
      <div
        role="status"
        aria-live="polite"
        data-run-result="started"
        data-execution-status={status}
        className={boxOf(status)}
      >
        <p className="font-medium">
          Scenario {run.scenarioId} {status ? EXECUTION_WORDS[status] : "was started at Make"}.
        </p>
        <p className="mt-1">
          Execution{" "}
          <code data-run-execution className="font-mono break-all">
            {run.executionId}
          </code>
          {status && (
            <>
              {" "}
              · status <strong data-run-status>{status}</strong>
            </>
          )}
        </p>
        {run.execution?.errorMessage && (
          <p className="mt-1" data-run-error>
            Make says: “{run.execution.errorMessage}”
          </p>
        )}
        {status === "RUNNING" && !gaveUp && (
          <p className="mt-1 text-xs">This updates by itself until the run ends.</p>
        )}
        {status === "RUNNING" && gaveUp && (
          <p className="mt-1 text-xs" data-run-gave-up>
            Still running. Reload this page later to see how it ended.
          </p>
        )}
        {run.statusProblem && (
          <p className="mt-1" data-run-status-problem={run.statusProblem.kind}>
            {run.statusProblem.message}
          </p>
        )}
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

const when = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "medium", timeZone: "UTC" });

/** The scenario's other recent runs from this app, newest first, with their outcome. */
export function RecentRuns({ runs }: { runs: RunView[] }) {
  if (runs.length === 0) return null;
  return (
    <div className="mt-3 text-sm" data-recent-runs>
      <h3 className="font-medium text-slate-700 dark:text-slate-200">
        Your other recent runs of this scenario
      </h3>
      <ul className="mt-1 divide-y divide-slate-100 dark:divide-slate-800">
        {runs.map((run) => (
          <li
            key={run.requestKey}
            data-recent-run={run.executionId ?? run.requestKey}
            className="flex flex-wrap justify-between gap-2 py-1 text-slate-600 dark:text-slate-300"
          >
            <span>{when.format(new Date(run.createdAt))} UTC</span>
            <span data-recent-outcome className="font-medium">
              {runOutcome(run)}
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}
