/**
 * One team's Make scenarios: name, whether it runs, when it was last edited, how it is scheduled.
 * Names come from Make and are untrusted: React renders them as text.
 */
import type { ReactNode } from "react";
import type { MakeScenario } from "@/lib/make";
import { Badge, type BadgeTone } from "@/components/ui/badge";

const lastEdit = new Intl.DateTimeFormat("en-GB", {
  dateStyle: "medium",
  timeStyle: "short",
  timeZone: "UTC",
});

function describeSchedule(scheduling: MakeScenario["scheduling"]): string {
  if (!scheduling?.type) return "Not scheduled";
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

function scenarioState(scenario: MakeScenario): { label: string; tone: BadgeTone } {
  if (scenario.isinvalid) return { label: "Invalid", tone: "danger" };
  if (scenario.isPaused) return { label: "Paused", tone: "warning" };
  if (scenario.isActive) return { label: "Active", tone: "success" };
  return { label: "Inactive", tone: "neutral" };
}

/** Make runs a scenario on request when it is active (and not stopped as invalid), whatever its schedule. */
const runnable = (scenario: MakeScenario) => scenario.isActive && !scenario.isinvalid;

/**
 * `runControl`: what to show for a scenario Make would run (the scenarios page's "Run now"). `order`:
 * whether a capped list holds the newest edits or only the first Make listed.
 */
export function ScenarioList({
  scenarios,
  capped,
  order = "lastEdit",
  runControl,
}: {
  scenarios: MakeScenario[];
  capped: boolean;
  order?: "lastEdit" | "make";
  runControl?: (scenario: MakeScenario) => ReactNode;
}) {
  if (scenarios.length === 0) {
    return (
      <p className="py-3 text-sm text-slate-600 dark:text-slate-300" data-empty="scenarios">
        No scenarios in this team yet.
      </p>
    );
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
              className="py-2 text-sm sm:grid sm:grid-cols-[minmax(0,1fr)_5rem_8rem_11rem_5.5rem] sm:items-center sm:gap-x-4"
            >
              <div className="flex items-start justify-between gap-3 sm:contents">
                <span className="min-w-0 font-medium break-words">{scenario.name}</span>
                <Badge tone={state.tone} className="sm:justify-self-start">
                  {state.label}
                </Badge>
              </div>
              <div className="mt-0.5 flex justify-between gap-3 text-slate-600 sm:contents dark:text-slate-300">
                <span>{describeSchedule(scenario.scheduling)}</span>
                <span className="text-right">
                  <span className="sr-only">Last edited </span>
                  {scenario.lastEdit ? lastEdit.format(new Date(scenario.lastEdit)) + " UTC" : "never edited"}
                </span>
              </div>
              <div className="mt-1 sm:mt-0 sm:justify-self-end">
                {runnable(scenario) && runControl?.(scenario)}
              </div>
            </li>
          );
        })}
      </ul>
      {capped && (
        <p
          className="pt-2 text-xs text-slate-600 dark:text-slate-300"
          data-capped="scenarios"
          data-order={order}
        >
          {order === "lastEdit"
            ? `Showing the ${scenarios.length} most recently edited; open Make for the rest.`
            : `Showing the first ${scenarios.length} Make listed (Make did not sort them by last edit); open Make for the rest.`}
        </p>
      )}
    </>
  );
}
