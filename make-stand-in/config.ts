/**
 * The stand-in's run-time switches and their defaults. The defaults follow what Make documents
 * (MAKE_OIDC.md, "What Make's documentation says"); each switch picks one answer to a question Make's
 * documentation leaves open. Add a switch here, to `configSchema`, and to the README's table.
 */
import { z } from "zod";

export const REFRESH_ID_TOKENS = [
  "new",
  "none",
  "original",
  "expired",
  "other_sub",
  "other_iss",
  "other_aud",
] as const;
export const REFRESH_TOKEN_ROTATIONS = ["rotate", "same", "omitted"] as const;
export const REVOCATION_ANSWERS = ["200", "204", "unsupported_token_type"] as const;

export interface MakeStandInConfig {
  /** Seconds; Make documents 5 minutes. */
  accessTokenTtl: number;
  /** Delay before a revocation request is answered (tests that need overlapping deliveries). */
  revocationLatencyMs?: number;
  tokenLatencyMs: number;
  /** Added to refresh grants only (a renewal still in flight while a sign-in completes). */
  refreshLatencyMs?: number;
  /** Public clients get refresh tokens too (Make: "typically" not). */
  publicRefreshTokens: boolean;
  /** Delay before the discovery document is answered. */
  discoveryLatencyMs?: number;
  /** Like a Make that does not echo `nonce`: the authorization request's nonce is dropped before the OP sees it. */
  ignoreNonce: boolean;
  /** Added to every REST API answer, and per zone host on top. */
  apiLatencyMs: number;
  zoneLatencyMs: Record<string, number>;
  /** Calls about each organization per window before 429, and its `license.apiLimit` (Make's Core plan: 60). */
  apiBudget: number;
  /** Per organization id, overriding `apiBudget` (Pro 120, Teams 240, Enterprise 1,000). */
  apiBudgetByOrganization: Record<string, number>;
  apiBudgetWindowSeconds: number;
  /** 429 answers carry `Retry-After` (Make documents none). */
  retryAfterOn429: boolean;
  /** The authorization response carries `iss` (RFC 9207; Make's discovery does not announce it). */
  issInAuthorizationResponse: boolean;
  /** The `issuer` the discovery document states, instead of the real one (an issuer mismatch). */
  discoveryIssuer?: string;
  /** Userinfo returns name, email and picture as well as `sub` (Make documents only `sub`). */
  userinfoProfile: boolean;
  /**
   * The id_token of refresh answers: a new one, none, the sign-in's original, an expired one, or one naming
   * another user (`sub`), another issuer (`iss`) or another client (`aud`), validly signed (OpenID Connect
   * Core §12.2).
   */
  refreshIdToken: (typeof REFRESH_ID_TOKENS)[number];
  /** Refresh answers: a new refresh token (old one consumed), the same one again, or no refresh_token field. */
  refreshTokenRotation: (typeof REFRESH_TOKEN_ROTATIONS)[number];
  /** Revocation answers 200 (RFC 7009), 204, or 400 `unsupported_token_type` for access tokens (not revoked). */
  revocationAnswer: (typeof REVOCATION_ANSWERS)[number];
  /** Per organization id, the `zone` Make's API reports for it instead of its real one (a forged zone host). */
  reportedZones: Record<string, string>;
  /** Zone hosts whose API answers 401 to every token (a zone that does not accept www.make.com's tokens). */
  rejectingZones: string[];
  /** The consent page asks for ONE organization; calls about the user's other organizations answer 403. */
  organizationBoundConsent: boolean;
  /** Scopes registered per client id; requesting any other scope ends the authorization with `invalid_scope`. */
  registeredScopes: Record<string, string[]>;
  /** Each client accepts only the first of its registered redirect URIs. */
  singleRedirectUri: boolean;
  /** Lists accept only `name` and `id` as `pg[sortBy]`; anything else is a 400. */
  strictSortBy: boolean;
  /** Lists ignore `pg[sortBy]` (no 400): Make's order, with the list's own key echoed in `pg`. */
  ignoreSortBy: boolean;
  /** The largest `pg[limit]` lists honour; a larger one is cut to it (and the cut limit echoed). */
  maxPageLimit: number;
  /** `sdk-samples`: the API answers in the bodies of Make's own SDK tests (sdk-samples/), ids and zones adapted. */
  answerShapes: (typeof ANSWER_SHAPES)[number];
  /** How runs go: RUNNING for `runningMs`, then this status, with Make's error for ERROR/WARNING. */
  executionOutcome: ExecutionOutcome;
}

export const ANSWER_SHAPES = ["stand-in", "sdk-samples"] as const;
export interface ExecutionOutcome {
  status: "SUCCESS" | "WARNING" | "ERROR";
  runningMs: number;
  error?: { name: string; message: string };
}

export function defaultConfig(accessTokenTtl = 300): MakeStandInConfig {
  return {
    accessTokenTtl,
    tokenLatencyMs: 0,
    publicRefreshTokens: false,
    ignoreNonce: false,
    apiLatencyMs: 0,
    zoneLatencyMs: {},
    apiBudget: 60,
    apiBudgetByOrganization: {},
    apiBudgetWindowSeconds: 60,
    retryAfterOn429: false,
    issInAuthorizationResponse: false,
    userinfoProfile: false,
    refreshIdToken: "new",
    refreshTokenRotation: "rotate",
    revocationAnswer: "200",
    reportedZones: {},
    rejectingZones: [],
    organizationBoundConsent: false,
    registeredScopes: {},
    singleRedirectUri: false,
    strictSortBy: false,
    ignoreSortBy: false,
    maxPageLimit: 10_000,
    answerShapes: "stand-in",
    executionOutcome: { status: "SUCCESS", runningMs: 0 },
  };
}

const count = z.number().int().min(0);

export const configSchema = z
  .object({
    accessTokenTtl: z.number().int().positive(),
    revocationLatencyMs: count,
    tokenLatencyMs: count,
    refreshLatencyMs: count,
    discoveryLatencyMs: count,
    publicRefreshTokens: z.boolean(),
    ignoreNonce: z.boolean(),
    apiLatencyMs: count,
    zoneLatencyMs: z.record(z.string(), count),
    apiBudget: z.number().int().positive(),
    apiBudgetByOrganization: z.record(z.string().regex(/^\d+$/), z.number().int().positive()),
    apiBudgetWindowSeconds: z.number().int().positive(),
    retryAfterOn429: z.boolean(),
    issInAuthorizationResponse: z.boolean(),
    discoveryIssuer: z.string().min(1),
    userinfoProfile: z.boolean(),
    refreshIdToken: z.enum(REFRESH_ID_TOKENS),
    refreshTokenRotation: z.enum(REFRESH_TOKEN_ROTATIONS),
    revocationAnswer: z.enum(REVOCATION_ANSWERS),
    reportedZones: z.record(z.string().regex(/^\d+$/), z.string().min(1)),
    rejectingZones: z.array(z.string().min(1)),
    organizationBoundConsent: z.boolean(),
    registeredScopes: z.record(z.string().min(1), z.array(z.string().min(1))),
    singleRedirectUri: z.boolean(),
    strictSortBy: z.boolean(),
    ignoreSortBy: z.boolean(),
    maxPageLimit: z.number().int().positive(),
    answerShapes: z.enum(ANSWER_SHAPES),
    executionOutcome: z
      .object({
        status: z.enum(["SUCCESS", "WARNING", "ERROR"]),
        runningMs: count,
        error: z.object({ name: z.string(), message: z.string() }).optional(),
      })
      .strict(),
  })
  .partial()
  .strict();

/** The switches oidc-provider reads from client metadata: changing one rebuilds the provider. */
export const clientSwitches = (config: MakeStandInConfig) =>
  JSON.stringify([config.registeredScopes, config.singleRedirectUri]);
