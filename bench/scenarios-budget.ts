/**
 * /dashboard/scenarios against Make's API budget: how many calls one view and ten views of one user make
 * (a renewed token, so the first view starts cold), what listing scenarios per organization costs against
 * one list per team for the same data (counted from the page), and five users of one Core-plan organization (60 calls a minute)
 * reloading the page for a minute: how many 429s Make answered, and how many views said when to try again.
 */
import type { BenchStack } from "./stack";
import { makeTokenDue, resetMakeBudgets } from "./stack";
import { signInWithMake } from "./sign-in";

export interface ScenariosBudget {
  /** Calls about an organization (its zone, its budget) in the first view and in ten views. */
  callsFirstView: number;
  callsPerTenViews: number;
  /** Calls to list the benchmark user's scenarios: one list per team, or one per organization. */
  perTeamCalls: number;
  perOrganizationCalls: number;
  users: number;
  durationMs: number;
  views: number;
  /** 429s Make answered during the five-user run. */
  makeRateLimited: number;
  /** Views that said when to try again (the app's pacing refused a call), and views that failed. */
  viewsShowingLimit: number;
  failedViews: number;
}

const ORGANIZATION_CALL = /organizationId=|teamId=|\/organizations\/\d+$/;
const organizationCalls = (stack: BenchStack, from: number) =>
  stack.makeStandIn.controls
    .stats()
    .api.slice(from)
    .filter((call) => ORGANIZATION_CALL.test(call.path + call.query));

/**
 * What one list per team would have cost for the data the page just showed: per organization its teams
 * list, then each team's scenarios in pages of 50 (a last page shorter than 50 ends the walk, so n
 * scenarios take ⌊n / 50⌋ + 1 calls), against the per-organization list the app makes (pages of 200).
 */
function listingCosts(body: string) {
  let perTeam = 0;
  let perOrganization = 0;
  // A streamed page holds each organization's loading placeholder as well as the organization itself.
  const sections = body.split("data-organization=").slice(1);
  for (const organization of sections.filter((section) => !/^"\d+"[^>]*aria-busy/.test(section))) {
    const teams = organization.split("data-team=").slice(1);
    const counts = teams.map((team) => team.split("data-scenario=").length - 1);
    perTeam += 1 + counts.reduce((sum, n) => sum + Math.floor(n / 50) + 1, 0);
    perOrganization += 1 + Math.floor(counts.reduce((sum, n) => sum + n, 0) / 200) + 1;
  }
  return { perTeam, perOrganization };
}

export async function measureScenariosBudget(
  stack: BenchStack,
  cookie: string,
  userId: string,
  { durationMs = 60_000 } = {},
): Promise<ScenariosBudget> {
  const { makeStandIn, app } = stack;
  const page = `${app.url}/dashboard/scenarios`;
  const view = async (sessionCookie: string) => {
    const response = await fetch(page, { headers: { cookie: sessionCookie } });
    return { status: response.status, body: await response.text() };
  };
  await resetMakeBudgets(stack);

  await makeTokenDue(stack, userId);
  const start = makeStandIn.controls.stats().api.length;
  const first = await view(cookie);
  const callsFirstView = organizationCalls(stack, start).length;
  for (let reload = 0; reload < 9; reload++) await view(cookie);
  const callsPerTenViews = organizationCalls(stack, start).length;

  const { perTeam, perOrganization } = listingCosts(first.body);

  const logins = ["ada", "colleague-1", "colleague-2", "colleague-3", "colleague-4"];
  const cookies = [cookie];
  for (const login of logins.slice(1))
    cookies.push((await signInWithMake(app.url, stack.standIn, login)).cookie);
  await resetMakeBudgets(stack);
  const from = makeStandIn.controls.stats().api.length;
  const until = performance.now() + durationMs;
  let views = 0;
  let viewsShowingLimit = 0;
  let failedViews = 0;
  await Promise.all(
    cookies.map(async (sessionCookie) => {
      while (performance.now() < until) {
        const { status, body } = await view(sessionCookie);
        views += 1;
        if (status !== 200) failedViews += 1;
        else if (body.includes('data-make-error="rate_limited"')) viewsShowingLimit += 1;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }),
  );
  const makeRateLimited = organizationCalls(stack, from).filter((call) => call.status === 429).length;
  return {
    callsFirstView,
    callsPerTenViews,
    perTeamCalls: perTeam,
    perOrganizationCalls: perOrganization,
    users: cookies.length,
    durationMs,
    views,
    makeRateLimited,
    viewsShowingLimit,
    failedViews,
  };
}
