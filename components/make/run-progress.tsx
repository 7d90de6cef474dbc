"use client";
/**
 * Follows a running execution without a reload: while Make says RUNNING, it asks the app's run route every
 * few seconds, up to a bound, and shows each answer. Edit the pace or the bound here.
 */
import { useEffect, useState } from "react";
import { ScenarioRunResult, type RunView } from "@/components/make/scenario-run-result";

const POLL_MS = 3_000;
const MAX_POLLS = 40;

const stillGoing = (run: RunView) =>
  run.status === "started" &&
  (run.execution?.status === "RUNNING" || (!run.execution && !!run.statusProblem));

export function RunProgress({ initial, url }: { initial: RunView; url: string }) {
  const [run, setRun] = useState(initial);
  const [polls, setPolls] = useState(0);
  const following = stillGoing(run) && polls < MAX_POLLS;

  useEffect(() => {
    if (!following) return;
    const timer = setTimeout(async () => {
      try {
        const response = await fetch(url, { cache: "no-store" });
        if (response.ok) setRun((await response.json()) as RunView);
      } finally {
        setPolls((count) => count + 1);
      }
    }, POLL_MS);
    return () => clearTimeout(timer);
  }, [following, polls, url]);

  return <ScenarioRunResult run={run} gaveUp={stillGoing(run) && !following} />;
}
