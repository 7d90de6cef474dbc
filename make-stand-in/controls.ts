/**
 * Test switches and counters of the stand-in. The same state is driven by the
 * programmatic `controls` object (tests in-process) and by the HTTP API under
 * `/__stand-in/` (tests that run the app in another process).
 */
import { z } from "zod";

import { configSchema, type ExecutionOutcome, type MakeStandInConfig } from "./config";
import { emptyTamperStats, tamperSchema, type TamperSpec, type TamperStats } from "./tamper";

export type FailEndpoint = "token" | "revocation" | "discovery" | "jwks" | "userinfo" | "api";
export type FailMode = "status" | "hang" | "invalid_grant" | "off";

export interface FailSpec {
  endpoint: FailEndpoint;
  mode: FailMode;
  /** HTTP status for mode "status"; default 503. */
  status?: number;
  /** How many requests the failure applies to; default: until turned off. */
  times?: number;
  /** Token endpoint only: grant types the failure applies to; default ["refresh_token"]. */
  grants?: string[];
}

export type { MakeStandInConfig } from "./config";

/** One request that reached a zone's REST API (the issuer's origin counts as the first zone). */
export interface ApiCall {
  zone: string;
  path: string;
  query: string;
  /** Set when the answer is sent. */
  status?: number;
}

export interface MakeStandInStats {
  /** Requests that reached the token endpoint, by grant_type (failure-switched ones included). */
  grants: { authorization_code: number; refresh_token: number; [grantType: string]: number };
  refreshSucceeded: number;
  refreshFailed: number;
  /** Every refresh token presented at the token endpoint, in order of arrival. */
  refreshTokens: RefreshTokenUse[];
  revocations: Array<{ tokenTypeHint: string | null; found: boolean; at: string }>;
  /** The most revocation requests that were in flight at the same moment. */
  revocationsInFlightPeak: number;
  userinfo: number;
  /** Requests for the discovery document. */
  discovery: number;
  /** Requests for the JWKS (a client verifying id_token signatures fetches it). */
  jwks: number;
  /** Answers a `tamper` switch rewrote. */
  tampered: TamperStats;
  /** Every REST API request, in order, with the zone whose origin it reached. */
  api: ApiCall[];
  /** Every accepted `POST /scenarios/{id}/run`, in order. */
  runs: ScenarioRun[];
}

/** One refresh token presented at the token endpoint, as the stand-in saw it (never the token itself). */
export interface RefreshTokenUse {
  /** A digest of the token: two presentations of one token share it. */
  fingerprint: string;
  /** The grant's Make user, when the token is one the stand-in issued and still holds. */
  sub?: string;
  /** The token had been exchanged before: reuse, for which the whole grant is revoked. */
  alreadyUsed: boolean;
  /**
   * `answered`: oidc-provider answered it (`status` says how); `failure_switch`: a `fail` switch answered
   * instead; `abandoned`: the client went away during `tokenLatencyMs`, so it was never processed.
   */
  outcome: "answered" | "failure_switch" | "abandoned";
  status?: number;
  /** Epoch milliseconds when it was answered or abandoned (after `tokenLatencyMs`). */
  at: number;
}

/** A scenario run the stand-in accepted; its execution answers `GET /scenarios/{id}/executions/{executionId}`. */
export interface ScenarioRun {
  scenarioId: number;
  executionId: string;
  organizationId: number;
  teamId: number;
  /** The run request's `data`, `responsive` and `callbackUrl`, as sent. */
  data?: unknown;
  responsive?: boolean;
  callbackUrl?: string;
  zone: string;
  at: string;
  /** How this execution goes (the `executionOutcome` switch when it started). */
  outcome: ExecutionOutcome;
}

export interface MakeStandInControls {
  stats(): MakeStandInStats;
  config(): MakeStandInConfig;
  configure(patch: Partial<MakeStandInConfig>): MakeStandInConfig;
  fail(spec: FailSpec): void;
  /** Misbehaving-server switches (forged id_token, foreign userinfo `sub`, authorization response `iss`). */
  tamper(spec: TamperSpec): void;
  reset(): void;
  /**
   * Adds a new signing key, signs with it from then on; returns its `kid`. With `retireOld`, the older keys
   * leave the JWKS (Make rotated and no longer publishes them).
   */
  rotateKeys(options?: { retireOld?: boolean }): Promise<{ kid: string }>;
}

/** What the server answers instead of the real endpoint. */
export type ActiveFailure = { mode: "status"; status: number } | { mode: "hang" } | { mode: "invalid_grant" };

export const failSchema = z
  .object({
    endpoint: z.enum(["token", "revocation", "discovery", "jwks", "userinfo", "api"]),
    mode: z.enum(["status", "hang", "invalid_grant", "off"]),
    status: z.number().int().min(400).max(599).optional(),
    times: z.number().int().positive().optional(),
    grants: z.array(z.string().min(1)).min(1).optional(),
  })
  .strict()
  .refine((spec) => spec.mode !== "invalid_grant" || spec.endpoint === "token", {
    message: 'mode "invalid_grant" only applies to the token endpoint',
  });

interface ArmedFailure {
  failure: ActiveFailure;
  remaining: number; // Infinity = until turned off
  grants: ReadonlySet<string>;
}

function emptyStats(): MakeStandInStats {
  return {
    // Keyed by client-supplied grant_type values: no prototype, so "__proto__" is just a key.
    grants: Object.assign(Object.create(null) as MakeStandInStats["grants"], {
      authorization_code: 0,
      refresh_token: 0,
    }),
    refreshSucceeded: 0,
    refreshFailed: 0,
    refreshTokens: [],
    revocations: [],
    revocationsInFlightPeak: 0,
    userinfo: 0,
    jwks: 0,
    discovery: 0,
    tampered: emptyTamperStats(),
    api: [],
    runs: [],
  };
}

/**
 * Mutable state behind the controls. The server reads `config`, calls
 * `takeFailure` once per request and records counters through `stats`.
 */
export class StandInState {
  readonly defaults: MakeStandInConfig;
  config: MakeStandInConfig;
  stats: MakeStandInStats = emptyStats();
  tampering: TamperSpec = {};
  revocationsInFlight = 0;
  private failures = new Map<FailEndpoint, ArmedFailure>();
  private budgets = new Map<number, { windowStart: number; spent: number }>();
  // Like tokens and grants, the three maps below outlive `reset()`.
  /** The organization the user picked on an organization-bound consent page, by grant id. */
  readonly consentOrganizations = new Map<string, number>();
  /** The id_token of each sign-in, by grant id (for `refreshIdToken: "original"`). */
  readonly signInIdTokens = new Map<string, string>();
  /** Executions of accepted runs, by execution id. */
  readonly executions = new Map<string, ScenarioRun>();

  constructor(defaults: MakeStandInConfig) {
    this.defaults = { ...defaults };
    this.config = { ...defaults };
  }

  configure(patch: Partial<MakeStandInConfig>): MakeStandInConfig {
    const parsed = configSchema.parse(patch);
    this.config = { ...this.config, ...parsed };
    return { ...this.config };
  }

  fail(spec: FailSpec): void {
    const parsed = failSchema.parse(spec);
    if (parsed.mode === "off") {
      this.failures.delete(parsed.endpoint);
      return;
    }
    const failure: ActiveFailure =
      parsed.mode === "status" ? { mode: "status", status: parsed.status ?? 503 } : { mode: parsed.mode };
    this.failures.set(parsed.endpoint, {
      failure,
      remaining: parsed.times ?? Infinity,
      // Token failures target refreshes by default: that is what the app must survive.
      grants: new Set(parsed.grants ?? ["refresh_token"]),
    });
  }

  tamper(spec: TamperSpec): void {
    this.tampering = tamperSchema.parse(spec);
  }

  /** Returns the failure to apply to this request (and counts it down), if any. */
  takeFailure(endpoint: FailEndpoint, grantType?: string): ActiveFailure | undefined {
    const armed = this.failures.get(endpoint);
    if (!armed) return undefined;
    if (endpoint === "token" && !armed.grants.has(grantType ?? "")) return undefined;
    armed.remaining -= 1;
    if (armed.remaining <= 0) this.failures.delete(endpoint);
    return armed.failure;
  }

  recordRun(run: ScenarioRun): void {
    this.stats.runs.push(run);
    this.executions.set(run.executionId, run);
  }

  recordApiCall(call: ApiCall): ApiCall {
    this.stats.api.push(call);
    return call;
  }

  apiLatencyFor(zone: string): number {
    return this.config.apiLatencyMs + (this.config.zoneLatencyMs[zone] ?? 0);
  }

  /** The organization's calls per window, also reported as its `license.apiLimit`. */
  apiLimitOf(organizationId: number): number {
    return this.config.apiBudgetByOrganization[String(organizationId)] ?? this.config.apiBudget;
  }

  /** Spends one call of the organization's budget; returns seconds until the window ends when it is already spent. */
  spendApiBudget(organizationId: number, now = Date.now()): number | undefined {
    const windowMs = this.config.apiBudgetWindowSeconds * 1000;
    let budget = this.budgets.get(organizationId);
    if (!budget || now - budget.windowStart >= windowMs) {
      budget = { windowStart: now, spent: 0 };
      this.budgets.set(organizationId, budget);
    }
    if (budget.spent >= this.apiLimitOf(organizationId))
      return Math.max(1, Math.ceil((budget.windowStart + windowMs - now) / 1000));
    budget.spent += 1;
    return undefined;
  }

  reset(): void {
    this.budgets.clear();
    this.failures.clear();
    this.tampering = {};
    this.stats = emptyStats();
    this.config = { ...this.defaults };
  }

  snapshot(): MakeStandInStats {
    return structuredClone(this.stats);
  }
}

export function createControls(
  state: StandInState,
  rotateKeys: MakeStandInControls["rotateKeys"],
): MakeStandInControls {
  return {
    stats: () => state.snapshot(),
    config: () => ({ ...state.config }),
    configure: (patch) => state.configure(patch),
    fail: (spec) => state.fail(spec),
    tamper: (spec) => state.tamper(spec),
    reset: () => state.reset(),
    rotateKeys,
  };
}
