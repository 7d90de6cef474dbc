/**
 * The worked example of building on the Make connection: the user's scenarios, per organization and team,
 * each organization asked in its own zone. Its shape, in five steps to copy for a page of your own:
 * docs/extending.md, "A page that calls a Make endpoint the app does not call yet".
 */
import { Suspense } from "react";
import { requireUser, type SignedInUser } from "@/lib/auth";
import {
  describeMakeProblem,
  hasZone,
  MakeApi,
  makeProfile,
  type MakeOrganization,
  type OrganizationReach,
} from "@/lib/make";
import { parseScopes } from "@/lib/scopes";
import { scenarioData } from "./data";
import { GrantAccess } from "@/components/make/grant-access";
import { MakeApiProblem } from "@/components/make/make-api-problem";
import { Card } from "@/components/ui/card";
import { Notice } from "@/components/ui/notice";
import { runScenarioNow } from "./actions";
import {
  OrganizationProblem,
  OrganizationScenarios,
  OrganizationSkeleton,
  OrganizationZoneUnknown,
} from "./organization-scenarios";
import { RunResult } from "./run-result";

export const metadata = { title: "Scenarios" };

const PATH = "/dashboard/scenarios";
/** What this page calls: organizations (user level), then teams and scenarios in each organization's zone. */
const NEEDED_SCOPES = ["organizations:read", "teams:read", "scenarios:read"];

export default async function ScenariosPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const user = await requireUser(PATH);
  const { asked, run } = await searchParams;
  const askedScopes = parseScopes(typeof asked === "string" ? asked : null);
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-bold">Your Make scenarios</h1>
        <p className="mt-1 text-sm text-slate-600 dark:text-slate-300">
          Every organization you belong to, asked in its own zone, with its teams and their scenarios.
        </p>
      </div>
      {typeof run === "string" && <RunResult userId={user.id} requestKey={run} />}
      <ScenariosByOrganization user={user} asked={askedScopes} />
    </div>
  );
}

type SearchParams = Record<string, string | string[] | undefined>;

/**
 * The Make calls this view will make, reserved in each organization's budget in one round trip: one to
 * learn whether the organization is reachable (once per token), two for its teams and scenarios (unless
 * cached). A view served from the cache reserves nothing. Organizations without a known zone cost none.
 */
async function reserveCalls(api: MakeApi, organizations: MakeOrganization[]) {
  const calls = organizations
    .filter(hasZone)
    .map(
      (organization) =>
        [
          { zone: organization.zone, organizationId: organization.id },
          (makeProfile.knowsReach(api, organization) ? 0 : 1) +
            (scenarioData.knowsScenarios(api, organization) ? 0 : 2),
        ] as const,
    );
  if (calls.some(([, count]) => count > 0)) await api.reserve(calls);
}

/** The API client, the organizations and whether each is reachable, when every needed scope was granted. */
async function loadOrganizations(user: SignedInUser) {
  try {
    const api = await MakeApi.forUser(user.id);
    // Cached per token and shared with the dashboard: usually no request to Make at all.
    const granted = await makeProfile.grantedScopes(api).catch(() => null);
    const missing = granted ? NEEDED_SCOPES.filter((scope) => !granted.includes(scope)) : [];
    if (missing.length > 0) return { kind: "missing_scopes", missing } as const;
    const organizations = await makeProfile.organizations(api);
    if (!organizations) return { kind: "missing_scopes", missing: ["organizations:read"] } as const;
    await reserveCalls(api, organizations);
    const reach = await makeProfile.reach(api, organizations);
    return { kind: "ok", api, organizations, reach } as const;
  } catch (error) {
    return { kind: "failed", error } as const;
  }
}

async function ScenariosByOrganization({ user, asked }: { user: SignedInUser; asked: string[] }) {
  const loaded = await loadOrganizations(user);
  if (loaded.kind === "missing_scopes") {
    return <GrantAccess scopes={[...loaded.missing]} returnTo={PATH} asked={asked} />;
  }
  if (loaded.kind === "failed") return <MakeApiProblem error={loaded.error} returnTo={PATH} asked={asked} />;
  const { api, organizations, reach } = loaded;
  if (organizations.length === 0) {
    return (
      <Card as="p" data-empty="organizations" className="text-slate-600 dark:text-slate-300">
        You do not belong to any Make organization yet.
      </Card>
    );
  }
  const unreachable = reach.filter((entry) => entry.reach === "forbidden" || entry.reach === "zone_refused");
  return (
    <>
      {unreachable.length > 0 && <UnreachableOrganizations entries={unreachable} />}
      {reach.map((entry) => {
        const { organization } = entry;
        if (entry.reach === "forbidden" || entry.reach === "zone_refused") return null;
        if (entry.reach === "zone_unknown" || !hasZone(organization))
          return <OrganizationZoneUnknown key={organization.id} organization={organization} />;
        if (entry.reach === "unknown") {
          return (
            <OrganizationProblem
              key={organization.id}
              organization={organization}
              error={entry.error}
              returnTo={PATH}
            />
          );
        }
        return (
          <Suspense key={organization.id} fallback={<OrganizationSkeleton organization={organization} />}>
            <OrganizationScenarios
              api={api}
              organization={organization}
              returnTo={PATH}

              run={runScenarioNow}
              asked={asked}
            />
          </Suspense>
        );
      })}
    </>
  );
}

/** The organizations this connection cannot reach, and why; the others are listed as usual. */
function UnreachableOrganizations({ entries }: { entries: OrganizationReach[] }) {
  return (
    <Notice
      as="section"
      tone="warning"
      role="status"
      data-unreachable-organizations={entries.map((entry) => entry.organization.id).join(" ")}
      size="lg"
      className="text-sm"
    >
      <p className="font-medium">This connection cannot reach every organization you belong to:</p>
      <ul className="mt-2 space-y-1">
        {entries.map((entry) => (
          <li
            key={entry.organization.id}
            data-unreachable={entry.reach === "reachable" ? undefined : entry.reach}
          >
            <span className="font-medium">{entry.organization.name}</span>:{" "}
            {"error" in entry ? describeMakeProblem(entry.error).message : ""}
          </li>
        ))}
      </ul>
    </Notice>
  );
}
