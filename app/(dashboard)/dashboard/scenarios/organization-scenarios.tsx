/**
 * One organization on the scenarios page: its teams and their scenarios (one list for the organization),
 * from the organization's zone. Rendered inside its own <Suspense>, so it streams in when its zone answers.
 */
import type { ReactNode } from "react";
import { type MakeApi, type MakeOrganization, type ZonedOrganization } from "@/lib/make";
import { scenarioData, type TeamScenarios } from "./data";
import { MakeApiProblem } from "@/components/make/make-api-problem";
import { RunScenarioButton } from "@/components/make/run-scenario-button";
import { ScenarioList } from "@/components/make/scenario-list";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";

interface Props {
  api: MakeApi;
  organization: ZonedOrganization;
  returnTo: string;
  run: (formData: FormData) => Promise<void>;
  asked?: string[];
}

function OrganizationCard({
  organization,
  children,
  busy,
}: {
  organization: MakeOrganization;
  children: ReactNode;
  busy?: boolean;
}) {
  return (
    <Card
      data-organization={organization.id}
      data-zone={organization.zone ?? "unknown"}
      aria-busy={busy || undefined}
    >
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 className="text-lg font-semibold break-words">{organization.name}</h2>
        <Badge
          tone={organization.zone ? "muted" : "warning"}
          className={organization.zone ? "font-mono" : ""}
        >
          {organization.zone ? `zone ${organization.zone}` : "zone unknown"}
        </Badge>
      </div>
      <div className="mt-3">{children}</div>
    </Card>
  );
}

export function OrganizationSkeleton({ organization }: { organization: ZonedOrganization }) {
  return (
    <OrganizationCard organization={organization} busy>
      <p className="text-sm text-slate-600 dark:text-slate-300" data-loading="organization">
        Loading teams and scenarios from {organization.zone}…
      </p>
      <div className="mt-3 space-y-2" aria-hidden>
        <div className="h-4 w-2/3 animate-pulse rounded bg-slate-200 dark:bg-slate-700" />
        <div className="h-4 w-1/2 animate-pulse rounded bg-slate-200 dark:bg-slate-700" />
      </div>
    </OrganizationCard>
  );
}

export async function OrganizationScenarios({ api, organization, returnTo, run, asked }: Props) {
  let teams: TeamScenarios[];
  try {
    // Cached per user and token for a short while: a reload asks Make nothing.
    teams = await scenarioData.organizationScenarios(api, organization);
  } catch (error) {
    return (
      <OrganizationCard organization={organization}>
        <MakeApiProblem error={error} returnTo={returnTo} asked={asked} />
      </OrganizationCard>
    );
  }
  return (
    <OrganizationCard organization={organization}>
      {teams.length === 0 && (
        <p className="text-sm text-slate-600 dark:text-slate-300" data-empty="teams">
          This organization has no teams you can see.
        </p>
      )}
      {teams.map(({ team, items, capped, order }) => (
        <div
          key={team.id}
          data-team={team.id}
          data-team-unlisted={team.unlisted || undefined}
          className="mt-4 first:mt-0"
        >
          <h3 className="text-sm font-semibold text-slate-700 dark:text-slate-200">
            {team.name}{" "}
            <span className="font-normal text-slate-600 dark:text-slate-300">· {items.length} scenarios</span>
            {team.unlisted && (
              <span className="block text-xs font-normal text-slate-600 dark:text-slate-300">
                Make listed these scenarios in a team it does not show you; open Make to see the team.
              </span>
            )}
          </h3>
          <ScenarioList
            scenarios={items}
            capped={capped}
            order={order}
            runControl={(scenario) => <RunScenarioButton scenario={scenario} run={run} />}
          />
        </div>
      ))}
    </OrganizationCard>
  );
}

/** An organization whose reach could not be checked (the budget, Make unavailable): why, and when to retry. */
export function OrganizationProblem({
  organization,
  error,
  returnTo,
}: Omit<Props, "api" | "asked" | "run" | "organization"> & {
  organization: MakeOrganization;
  error: unknown;
}) {
  return (
    <OrganizationCard organization={organization}>
      <MakeApiProblem error={error} returnTo={returnTo} />
    </OrganizationCard>
  );
}

/** An organization Make listed without its zone: nothing about it can be asked, and the page says so. */
export function OrganizationZoneUnknown({ organization }: { organization: MakeOrganization }) {
  return (
    <OrganizationCard organization={organization}>
      <p role="status" data-zone-unknown className="text-sm text-slate-600 dark:text-slate-300">
        Make did not say which zone this organization lives in, so its teams and scenarios cannot be listed or
        run from here. Open it at Make to see and run them.
      </p>
    </OrganizationCard>
  );
}
