/**
 * Running a scenario and asking about its execution, on the paths `@makehq/sdk` calls:
 * `scenarios.run()` (`POST /scenarios/{id}/run`), `executions.getDetail()` (`GET
 * /scenarios/{id}/executions/{executionId}`) and `executions.get()` (`GET /scenarios/{id}/logs/{executionId}`).
 * Every accepted run is recorded in `stats().runs`; its execution runs for `executionOutcome.runningMs`, then
 * ends as that switch says (SUCCESS by default), and a second run of a scenario still running is refused.
 * Refusals use Make's words as the SDK's tool descriptions quote them.
 */
import { randomBytes } from "node:crypto";

import { organizationInZone, type ApiRequest } from "./api-access";
import { ApiError, notFound } from "./api-errors";
import { findScenario, findTeam, type CatalogScenario } from "./catalog";
import type { ScenarioRun } from "./controls";
import { sampleScenario, usesSamples } from "./sdk-answers";
import executionSample from "./sdk-samples/executions-get-detail.json";

const cannotRun = (detail: string) =>
  new ApiError(400, { detail, message: "Scenario cannot be run", code: "IM016" });

/** The scenario of `params.scenarioId`, checked like any call about its organization. */
function scenarioOf(request: ApiRequest): Pick<
  CatalogScenario,
  "id" | "teamId" | "isActive" | "isinvalid"
> & {
  organizationId: number;
} {
  if (usesSamples(request)) return sampleScenario(request);
  const { caller, params, context } = request;
  const scenario = findScenario(Number(params.scenarioId));
  const team = scenario && findTeam(scenario.teamId);
  if (!scenario || !team) throw notFound(`Scenario ${params.scenarioId} not found`);
  organizationInZone(caller, team.organizationId, context);
  return { ...scenario, organizationId: team.organizationId };
}

/** What the run request's JSON body carries (the SDK sends `data`, `responsive`, `callbackUrl`). */
function runOptions(body: unknown): Pick<ScenarioRun, "data" | "responsive" | "callbackUrl"> {
  const fields = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
  return {
    data: fields.data,
    responsive: typeof fields.responsive === "boolean" ? fields.responsive : undefined,
    callbackUrl: typeof fields.callbackUrl === "string" ? fields.callbackUrl : undefined,
  };
}

/** `POST /scenarios/{id}/run` (scope `scenarios:run`): an active, valid scenario runs; others are a 400. */
export function runScenario(request: ApiRequest) {
  const scenario = scenarioOf(request);
  if (scenario.isinvalid) throw cannotRun(`Scenario ${scenario.id} is invalid and cannot be run`);
  if (!scenario.isActive) throw cannotRun("Scenario is not activated");
  const { context } = request;
  const running = [...context.state.executions.values()].some(
    (run) => run.scenarioId === scenario.id && executionState(run) === "RUNNING",
  );
  if (running) throw cannotRun("Scenario is already being executed");
  const run: ScenarioRun = {
    scenarioId: scenario.id,
    executionId: randomBytes(16).toString("hex"),
    organizationId: scenario.organizationId,
    teamId: scenario.teamId,
    ...runOptions(request.body),
    zone: context.zone,
    at: new Date().toISOString(),
    outcome: context.state.config.executionOutcome,
  };
  context.state.recordRun(run);
  // Responsive runs (the SDK's default) wait for the result; the others answer where to ask for it.
  if (run.responsive === false) {
    const statusUrl = `http://${context.zone}/api/v2/scenarios/${scenario.id}/executions/${run.executionId}`;
    return { executionId: run.executionId, statusUrl };
  }
  return { executionId: run.executionId, status: 1, outputs: {} };
}

function executionOf(request: ApiRequest): ScenarioRun {
  const scenario = scenarioOf(request);
  const run = request.context.state.executions.get(request.params.executionId ?? "");
  if (!run || run.scenarioId !== scenario.id)
    throw notFound(`Execution ${request.params.executionId} not found`);
  return run;
}

/** Where an execution is now under the `executionOutcome` switch. */
function executionState(run: ScenarioRun, now = Date.now()) {
  return now < Date.parse(run.at) + run.outcome.runningMs ? "RUNNING" : run.outcome.status;
}

/** `GET /scenarios/{id}/executions/{executionId}`: the SDK's `ExecutionDetail` (its sample's shape). */
export function executionDetail(request: ApiRequest) {
  const run = executionOf(request);
  const { outcome } = run;
  const status = executionState(run);
  if (status === "RUNNING") return { status };
  const error =
    status !== "SUCCESS" && outcome.error
      ? { error: { ...outcome.error, causeModule: { id: 2, name: "http", app: "http" } } }
      : {};
  const outputs = status === "SUCCESS" && usesSamples(request) ? executionSample.outputs : {};
  return { status, outputs, ...error };
}

/** `GET /scenarios/{id}/logs/{executionId}`: the SDK's `Execution`, wrapped in `scenarioLog`. */
export function executionLog(request: ApiRequest) {
  const run = executionOf(request);
  return {
    scenarioLog: {
      id: run.executionId,
      imtId: run.executionId,
      status: 1,
      duration: 120,
      operations: 1,
      centicredits: 100,
      transfer: 0,
      organizationId: run.organizationId,
      teamId: run.teamId,
      type: "manual",
      authorId: Number(request.caller.sub),
      instant: true,
      timestamp: run.at,
    },
  };
}
