/**
 * "Run now" for one scenario: a plain form posting the server action with a fresh request key, so the
 * server can tell a resubmission of this form from a new click. It works before JavaScript loads. The
 * scenario's organization is looked up on the server, never sent from here.
 */
import { randomUUID } from "node:crypto";

export function RunScenarioButton({
  scenario,
  run,
}: {
  scenario: { id: number; name: string };
  run: (formData: FormData) => Promise<void>;
}) {
  return (
    <form action={run} data-run-form={scenario.id}>
      <input type="hidden" name="requestKey" value={randomUUID()} />
      <input type="hidden" name="scenarioId" value={scenario.id} />
      <button
        type="submit"
        className="rounded-md bg-white px-2.5 py-1 text-xs font-medium text-slate-700 shadow-sm ring-1 ring-slate-300 ring-inset hover:bg-slate-50 dark:bg-slate-900 dark:text-slate-200 dark:ring-slate-700 dark:hover:bg-slate-800"
      >
        Run now<span className="sr-only">: {scenario.name}</span>
      </button>
    </form>
  );
}
