/**
 * The outcome of a "Run now": the execution Make started and how it is going (RUNNING, then SUCCESS,
 * WARNING or ERROR with Make's own error message), or Make's refusal in Make's words, and the scenario's
 * last few runs. Make's texts are untrusted: React renders them as text.
 */
import type { ExecutionStatus } from "@/lib/make";
import { Notice, type NoticeTone } from "@/components/ui/notice";

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

const EXECUTION_WORDS: Record<ExecutionStatus, string> = {
  RUNNING: "is running at Make",
  SUCCESS: "finished successfully",
  WARNING: "finished with warnings",
  ERROR: "ended with an error",
};

const toneOf = (status?: ExecutionStatus): NoticeTone =>
  status === "ERROR" ? "error" : status === "WARNING" ? "warning" : status === "RUNNING" ? "info" : "success";

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
      <Notice tone="error" role="alert" data-run-result="too_many" size="lg" className="text-sm">
        Too many runs started in the last minute; this one was not started. Try again in a minute.
      </Notice>
    );
  }
  if (!run) {
    return (
      <Notice tone="error" role="alert" data-run-result="invalid" size="lg" className="text-sm">
        That run request is not valid here; nothing was started.
      </Notice>
    );
  }
  if (run.status === "started" && run.executionId) {
    const status = run.execution?.status;
    return (
      <Notice
        as="div"
        tone={toneOf(status)}
        role="status"
        aria-live="polite"
        data-run-result="started"
        data-execution-status={status}
        size="lg"
        className="text-sm"
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
      </Notice>
    );
  }
  if (run.status === "starting") {
    return (
      <Notice tone="success" role="status" data-run-result="starting" size="lg" className="text-sm">
        Scenario {run.scenarioId} is being started. Reload in a moment.
      </Notice>
    );
  }
  return (
    <Notice
      as="div"
      tone="error"
      role="alert"
      data-run-result={run.status}
      data-make-error={run.problemKind}
      size="lg"
      className="text-sm"
    >
      <p className="font-medium">
        {run.status === "unknown"
          ? `Make did not answer; scenario ${run.scenarioId} may or may not have started. Check its history at Make before running it again.`
          : `Make did not run scenario ${run.scenarioId}.`}
      </p>
      {run.problemMessage && <p className="mt-1">{run.problemMessage}</p>}
    </Notice>
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
