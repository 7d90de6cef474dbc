/**
 * One team's Make scenarios: name, whether it runs, when it was last edited, how it is scheduled.
 * Names come from Make and are untrusted: React renders them as text.
 */
import type { MakeScenario } from "@/lib/make/calls";
import { formatDate } from "@/components/format";

function describeSchedule(scheduling: MakeScenario["scheduling"]): string {
  if (!scheduling) return "Not scheduled";
  switch (scheduling.type) {
    case "indefinitely": {
      const minutes = Math.round((scheduling.interval ?? 900) / 60);
      return minutes >= 60 && minutes % 60 === 0 ? `Every ${minutes / 60} h` : `Every ${minutes} min`;
    }
    case "immediately":
      return "Instant trigger";
    case "on-demand":
      return "On demand";
    case "once":
      return "Once";
    default: {
      const kind = `${scheduling.type[0]!.toUpperCase()}${scheduling.type.slice(1)}`;
      return scheduling.time ? `${kind} at ${scheduling.time}` : kind;
    }
  }
}

function scenarioState(scenario: MakeScenario): { label: string; tone: string } {
  if (scenario.isinvalid) return { label: "Invalid", tone: "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-200" };
  if (scenario.isPaused) return { label: "Paused", tone: "bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200" };
  if (scenario.isActive) return { label: "Active", tone: "bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200" };
  return { label: "Inactive", tone: "bg-slate-200 text-slate-700 dark:bg-slate-800 dark:text-slate-200" };
}

export function ScenarioList({ scenarios, capped }: { scenarios: MakeScenario[]; capped: boolean }) {
  if (scenarios.length === 0) {
    return <p className="py-3 text-sm text-slate-600 dark:text-slate-300" data-empty="scenarios">No scenarios in this team yet.</p>;
  }
  return (
    <>
      <ul className="divide-y divide-slate-100 dark:divide-slate-800">
        {scenarios.map((scenario) => {
          const state = scenarioState(scenario);
          return (
            <li
              key={scenario.id}
              data-scenario={scenario.id}
              className="grid grid-cols-[minmax(0,1fr)_auto] items-center gap-x-4 gap-y-0.5 py-2 text-sm sm:grid-cols-[minmax(0,1fr)_5rem_8rem_13rem]"
            >
              <span className="font-medium break-words">{scenario.name}</span>
              <span className={`justify-self-end rounded-full px-2 py-0.5 text-xs font-medium sm:justify-self-start ${state.tone}`}>
                {state.label}
              </span>
              <span className="text-slate-600 dark:text-slate-300">{describeSchedule(scenario.scheduling)}</span>
              <span className="justify-self-end text-slate-600 dark:text-slate-300">
                <span className="sr-only">Last edited </span>
                {scenario.lastEdit ? formatDate(new Date(scenario.lastEdit)) : "never edited"}
              </span>
            </li>
          );
        })}
      </ul>
      {capped && (
        <p className="pt-2 text-xs text-slate-600 dark:text-slate-300" data-capped="scenarios">
          Showing the {scenarios.length} most recently edited; open Make for the rest.
        </p>
      )}
    </>
  );
}
