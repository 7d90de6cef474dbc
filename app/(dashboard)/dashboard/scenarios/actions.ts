"use server";
/**
 * "Run now": starts one run of a scenario at Make, once per form (a fresh key per rendered form, recorded
 * in ScenarioRun before Make is asked), charged to the organization it belongs to among the user's own,
 * never the form's; at most RUNS_PER_MINUTE a minute per user, so a loop floods neither Make nor the table.
 */
import { redirect } from "next/navigation";
import { z } from "zod";
import { db } from "@/lib/db";
import { connectMake, requireUser } from "@/lib/auth";
import { describeMakeProblem, MakeApi, makeProfile, runScenario, type ZonedOrganization } from "@/lib/make";
import { validatedFormAction } from "@/lib/validated-action";
import { scenarioData } from "./data";

const PATH = "/dashboard/scenarios";
const RUNS_PER_MINUTE = 10;

const runRequest = z.object({
  requestKey: z.uuid(),
  scenarioId: z.string().pipe(z.coerce.number<string>().int().positive()),
});

export const runScenarioNow = validatedFormAction(runRequest, runOnce, () => redirect(`${PATH}?run=invalid`));

async function runOnce({ requestKey, scenarioId }: z.output<typeof runRequest>) {
  const user = await requireUser(PATH);
  const api = await MakeApi.forUser(user.id);
  // Running needs `scenarios:run`, which sign-in does not ask for: Make is asked for it only now.
  const granted = await makeProfile.grantedScopes(api).catch(() => null);
  if (granted && !granted.includes("scenarios:run")) {
    await connectMake({ returnTo: PATH, missingScopes: ["scenarios:run"] });
  }
  const found = await scenarioData.scenarioOrganization(api, scenarioId);
  if (found === "zone_unknown") redirect(`${PATH}?run=zone_unknown`);
  if (!found) redirect(`${PATH}?run=invalid`);
  const { organization } = found;

  const lastMinute = { userId: user.id, createdAt: { gt: new Date(Date.now() - 60_000) } };
  if ((await db.scenarioRun.count({ where: lastMinute })) >= RUNS_PER_MINUTE)
    redirect(`${PATH}?run=too_many`);

  const { count } = await db.scenarioRun.createMany({
    data: [
      {
        userId: user.id,
        requestKey,
        scenarioId,
        organizationId: organization.id,
        zone: organization.zone,
        status: "starting",
      },
    ],
    skipDuplicates: true,
  });
  if (count === 1) await startRun(api, organization, scenarioId, user.id, requestKey);
  redirect(`${PATH}?run=${requestKey}`);
}

async function startRun(
  api: MakeApi,
  organization: ZonedOrganization,
  scenarioId: number,
  userId: string,
  requestKey: string,
) {
  const where = { userId_requestKey: { userId, requestKey } };
  try {
    const { executionId } = await runScenario(api, organization, scenarioId);
    await db.scenarioRun.update({ where, data: { status: "started", executionId } });
  } catch (error) {
    const problem = describeMakeProblem(error);
    // No answer (a timeout, a 5xx): the run may have started, so it is reported as unknown, not retried.
    const status = problem.kind === "unavailable" ? "unknown" : "refused";
    await db.scenarioRun.update({
      where,
      data: { status, problemKind: problem.kind, problemMessage: problem.message },
    });
  }
}
