/**
 * The worked example of building on the Make connection: the user's scenarios, per organization and
 * team, each organization asked in its own zone. Copy this shape for your own page:
 *   1. `MakeApi.forUser(user.id)`: the API client with the user's token (renewed when needed);
 *   2. check the granted scopes and offer "Grant access" for what is missing;
 *   3. one <Suspense> per slow thing, so one slow zone does not hold the page;
 *   4. to change something at Make, a server action with a key per form (./actions.ts: "Run now").
 */
import { Suspense } from "react";
import { requireUser, type SignedInUser } from "@/lib/auth";
import { MakeApi, makeProfile } from "@/lib/make";
import { GrantAccess } from "@/components/grant-access";
import { MakeApiProblem } from "@/components/make-api-problem";
import { Card } from "@/components/ui/card";
import { grantAccess } from "../actions";
import { runScenarioNow } from "./actions";
import { OrganizationScenarios, OrganizationSkeleton } from "./organization-scenarios";
import { RunResult } from "./run-result";

export const metadata = { title: "Scenarios" };

const PATH = "/dashboard/scenarios";
/** What this page calls: organizations (user level), then teams and scenarios in each organization's zone. */
const NEEDED_SCOPES = ["organizations:read", "teams:read", "scenarios:read"];

export default async function ScenariosPage({ searchParams }: { searchParams: Promise<{ run?: string }> }) {
  const user = await requireUser(PATH);
  const { run } = await searchParams;
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-bold">Your Make scenarios</h1>
        <p className="mt-1 text-sm text-slate-600 dark:text-slate-300">
          Every organization you belong to, asked in its own zone, with its teams and their scenarios.
        </p>
      </div>
      {typeof run === "string" && <RunResult userId={user.id} requestKey={run} />}
      <ScenariosByOrganization user={user} />
    </div>
  );
}

/** The API client, and the organizations when every scope this page needs was granted. */
async function loadOrganizations(user: SignedInUser) {
  try {
    const api = await MakeApi.forUser(user.id);
    // Both cached per token and shared with the dashboard: usually no request to Make at all.
    const granted = await makeProfile.grantedScopes(api).catch(() => null);
    const missing = granted ? NEEDED_SCOPES.filter((scope) => !granted.includes(scope)) : [];
    if (missing.length > 0) return { kind: "missing_scopes", missing } as const;
    const organizations = await makeProfile.organizations(api);
    if (!organizations) return { kind: "missing_scopes", missing: ["organizations:read"] } as const;
    return { kind: "ok", api, organizations } as const;
  } catch (error) {
    return { kind: "failed", error } as const;
  }
}

async function ScenariosByOrganization({ user }: { user: SignedInUser }) {
  const loaded = await loadOrganizations(user);
  if (loaded.kind === "missing_scopes") {
    return <GrantAccess scopes={[...loaded.missing]} returnTo={PATH} grant={grantAccess} />;
  }
  if (loaded.kind === "failed")
    return <MakeApiProblem error={loaded.error} returnTo={PATH} grant={grantAccess} />;
  const { api, organizations } = loaded;
  if (organizations.length === 0) {
    return (
      <Card as="p" data-empty="organizations" className="text-slate-600 dark:text-slate-300">
        You do not belong to any Make organization yet.
      </Card>
    );
  }
  return organizations.map((organization) => (
    <Suspense key={organization.id} fallback={<OrganizationSkeleton organization={organization} />}>
      <OrganizationScenarios
        api={api}
        organization={organization}
        returnTo={PATH}
        grant={grantAccess}
        run={runScenarioNow}
      />
    </Suspense>
  ));
}
