/**
 * HTTP face of the controls, for tests that run the app in another process.
 *
 *   GET  /__stand-in/stats        counters
 *   GET  /__stand-in/config       current switches
 *   POST /__stand-in/config       any subset of MakeStandInConfig (config.ts), e.g. { accessTokenTtl: 30 }
 *   POST /__stand-in/fail         { endpoint, mode, status?, times?, grants? }
 *   POST /__stand-in/tamper       { idToken?, userinfoSub?, authorizationIss? }; {} turns tampering off
 *   POST /__stand-in/reset        failures, tamper switches, stats and config back to defaults
 *   POST /__stand-in/rotate-keys  new signing key; answers { kid }
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ZodError } from "zod";

import type { FailSpec, MakeStandInConfig, MakeStandInControls } from "./controls";
import type { TamperSpec } from "./tamper";
import { readJson, sendJson } from "./http-utils";

export const CONTROL_PREFIX = "/__stand-in/";

export async function handleControlApi(
  controls: MakeStandInControls,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<void> {
  const route = `${req.method ?? "GET"} ${path.slice(CONTROL_PREFIX.length)}`;
  try {
    switch (route) {
      case "GET stats":
        return sendJson(res, 200, controls.stats());
      case "GET config":
        return sendJson(res, 200, controls.config());
      case "POST config":
        return sendJson(res, 200, controls.configure((await readJson(req)) as Partial<MakeStandInConfig>));
      case "POST fail":
        controls.fail((await readJson(req)) as FailSpec);
        return sendJson(res, 200, { ok: true });
      case "POST tamper":
        controls.tamper((await readJson(req)) as TamperSpec);
        return sendJson(res, 200, { ok: true });
      case "POST reset":
        controls.reset();
        return sendJson(res, 200, { ok: true });
      case "POST rotate-keys":
        return sendJson(res, 200, await controls.rotateKeys());
      default:
        return sendJson(res, 404, { error: "not_found", error_description: `no control route ${route}` });
    }
  } catch (error) {
    // The controls validate their input with zod; report that as a 400.
    if (error instanceof ZodError) {
      return sendJson(res, 400, { error: "invalid_request", issues: error.issues });
    }
    throw error;
  }
}
