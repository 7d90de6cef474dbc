/**
 * The two typed errors a page can act on, MakeConnectionError (no usable access token right now) and
 * MakeApiError (Make's API refused a call; a subclass of the SDK's MakeError, Make's error body kept), and
 * `describeMakeProblem`, which words either for the user. Edit it to add a failure or change its words.
 * @see https://developers.make.com/api-documentation/getting-started/error-handling
 */
import { MakeError } from "@makehq/sdk";
import { isTimeout } from "@/lib/timeouts";

/** Why no Make access token can be handed out right now. */
export type ConnectionUnavailableReason =
  | "not_connected"
  | "reauth_required"
  | "revoked"
  /** Unused for MAKE_LAPSE_AFTER_DAYS: its tokens were revoked and deleted (lib/make/connection/lapse.ts). */
  | "lapsed"
  | "make_unavailable"
  | "refresh_busy"
  /** The stored tokens are sealed under a key this server does not hold (a rollback, a rolling deploy). */
  | "key_unavailable";

export class MakeConnectionError extends Error {
  override name = "MakeConnectionError";
  constructor(
    readonly reason: ConnectionUnavailableReason,
    message: string,
  ) {
    super(message);
  }
}

export type MakeApiFailure =
  /** 401: Make does not accept the access token (revoked or expired at Make). */
  | "unauthorized"
  /** 401 from one zone while the default zone accepts the token: that zone's organizations are out of reach. */
  | "zone_refused"
  /** 403: a scope or a permission is missing. */
  | "forbidden"
  /** 429: the organization's per-minute request budget is spent. */
  | "rate_limited"
  | "not_found"
  /** Any other 4xx: Make refused the request as sent (a wrong zone answers like this). */
  | "rejected"
  /** 5xx, a timeout or a network failure: try again later. */
  | "unavailable"
  /** Make answered 2xx with a body this app cannot read (a field it needs is missing or of another type). */
  | "unexpected_answer";

export interface MakeErrorBody {
  detail?: string;
  message?: string;
  code?: string;
  suberrors?: Array<{ message?: string; code?: string }>;
}

export class MakeApiError extends MakeError {
  override name = "MakeApiError";
  readonly kind: MakeApiFailure;

  constructor(
    readonly status: number | null,
    readonly body: MakeErrorBody,
    readonly details: {
      retryAfterSeconds?: number;
      /** A scope current-authorization shows this grant lacks, and the call needs. */
      missingScope?: string;
      /** The zone host that refused a token the default zone accepts. */
      zoneRefused?: string;
      /** The app's own pacing refused the call before it reached Make. */
      paced?: boolean;
      /** The call whose answer did not have the shape this app reads (lib/make/client/calls.ts). */
      unexpectedAnswer?: string;
      cause?: unknown;
    } = {},
  ) {
    super(
      body.detail ?? body.message ?? (status ? `Make answered ${status}` : "Make could not be reached"),
      status ?? 0,
    );
    this.kind = details.zoneRefused
      ? "zone_refused"
      : details.unexpectedAnswer
        ? "unexpected_answer"
        : failureKind(status);
    this.subErrors = body.suberrors?.map((suberror) => suberror.message ?? suberror.code ?? "");
  }

  get code() {
    return this.body.code;
  }
  get retryAfterSeconds() {
    return this.details.retryAfterSeconds;
  }
  get missingScope() {
    return this.details.missingScope;
  }
}

function failureKind(status: number | null): MakeApiFailure {
  if (status === 401) return "unauthorized";
  if (status === 403) return "forbidden";
  if (status === 429) return "rate_limited";
  if (status === 404) return "not_found";
  if (status !== null && status >= 400 && status < 500) return "rejected";
  // 501: the server does not offer this request at all (the local stand-in, for an endpoint it lacks);
  // waiting will not help, and its words say what to do.
  if (status === 501) return "rejected";
  return "unavailable";
}

/** `Retry-After` as seconds from now: either delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

/** The scope named in `WWW-Authenticate: Bearer error="insufficient_scope", scope="…"` (RFC 6750 §3). */
function challengedScope(header: string | null): string | undefined {
  return header ? /\bscope="([^"]+)"/.exec(header)?.[1] : undefined;
}

const asText = (value: unknown) => (typeof value === "string" && value.trim() ? value.trim() : undefined);

function readBody(body: unknown): MakeErrorBody {
  if (typeof body !== "object" || body === null) return {};
  const fields = body as Record<string, unknown>;
  const suberrors = Array.isArray(fields.suberrors)
    ? fields.suberrors
        .filter((item): item is Record<string, unknown> => typeof item === "object" && item !== null)
        .map((item) => ({ message: asText(item.message), code: asText(item.code) }))
    : undefined;
  return {
    detail: asText(fields.detail),
    message: asText(fields.message),
    code: asText(fields.code),
    suberrors,
  };
}

/**
 * Make's error answer as a MakeApiError. A 403 names a missing scope only when Make's own challenge does
 * (RFC 6750); otherwise MakeApi.call asks current-authorization before calling the scope missing.
 */
export async function makeApiErrorFromResponse(response: Response): Promise<MakeApiError> {
  const body = readBody(await response.json().catch(() => undefined));
  return new MakeApiError(response.status, body, {
    retryAfterSeconds: parseRetryAfter(response.headers.get("retry-after")),
    missingScope:
      response.status === 403 ? challengedScope(response.headers.get("www-authenticate")) : undefined,
  });
}

/** A request that got no answer (timeout, refused connection, DNS) is `unavailable`. */
export function makeApiErrorFromException(error: unknown): MakeApiError {
  const message = isTimeout(error) ? "Make did not answer in time" : "Make could not be reached";
  return new MakeApiError(null, { message }, { cause: error });
}

const CONNECTION_WORDS: Record<ConnectionUnavailableReason, string> = {
  not_connected: "No Make account is connected. Connect it from the dashboard.",
  reauth_required: "Make no longer accepts this connection. Reconnect it from the dashboard.",
  revoked: "You revoked the Make connection. Reconnect it from the dashboard.",
  lapsed: "The Make connection lapsed after a long time unused. Connect it again from the dashboard.",
  make_unavailable: "Make could not be reached just now. Try again in a moment.",
  refresh_busy: "Your Make connection is being renewed. Reload in a moment.",
  key_unavailable:
    "This server cannot read your Make connection right now (it is being updated). Try again in a moment.",
};

export interface MakeProblem {
  /** A MakeApiError's kind, a MakeConnectionError's reason, or "error" for anything else. */
  kind: MakeApiFailure | ConnectionUnavailableReason | "error";
  /** What happened and what the user can do, Make's own words included. */
  message: string;
  /** A scope the call needs that the connection lacks: "Grant access" can help. */
  missingScope?: string;
  retryAfterSeconds?: number;
}

/** Any error from the Make connection, in words for the user. Make's own message is kept in it. */
export function describeMakeProblem(error: unknown): MakeProblem {
  if (error instanceof MakeApiError) {
    return {
      kind: error.kind,
      message: describeMakeApiError(error),
      missingScope: error.kind === "forbidden" ? error.missingScope : undefined,
      retryAfterSeconds: error.retryAfterSeconds,
    };
  }
  if (error instanceof MakeConnectionError)
    return { kind: error.reason, message: CONNECTION_WORDS[error.reason] };
  return { kind: "error", message: "Something went wrong while asking Make. Try again in a moment." };
}

export function describeMakeApiError(error: MakeApiError): string {
  const said = error.body.detail ?? error.body.message;
  const sub = error.body.suberrors?.map((suberror) => suberror.message).filter(Boolean) ?? [];
  const makeSays = said ? ` Make says: “${[said, ...sub].join(" ")}”` : "";
  switch (error.kind) {
    case "rate_limited": {
      const wait = error.retryAfterSeconds;
      const when = wait === undefined ? "in a minute" : wait <= 1 ? "in a second" : `in ${wait} seconds`;
      return `Make's request limit for this organization was reached. Try again ${when}.${makeSays}`;
    }
    case "forbidden":
      return error.missingScope
        ? `This needs the “${error.missingScope}” permission, which this connection was not granted.${makeSays}`
        : `Make refused this although the connection has the scope it needs: your role in the ` +
            `organization does not allow it, or the access you granted does not include this organization. ` +
            `Ask the organization's admin for access, or reconnect and choose this organization.${makeSays}`;
    case "zone_refused":
      return `Make's zone ${error.details.zoneRefused} does not accept this connection, so this organization cannot be reached from here; the rest of your Make data can.${makeSays}`;
    case "unauthorized":
      return `Make no longer accepts this connection. Reconnect to continue.${makeSays}`;
    case "unavailable":
      return `${error.message}. Try again in a moment.`;
    case "unexpected_answer":
      return `Make answered ${error.details.unexpectedAnswer} in a form this app cannot read, so it is not shown. Try again later; if it stays so, the app needs an update.`;
    default:
      return `${runRefusalWords(said ?? "")}Make could not complete the request.${makeSays}`;
  }
}

/** Make's refusals of a run (its words, quoted in the SDK's tool descriptions), and what the user can do. */
function runRefusalWords(said: string): string {
  if (/not activated/i.test(said))
    return "This scenario is switched off at Make, and Make runs only active scenarios. Turn it on at Make, then run it again. ";
  if (/already being executed/i.test(said))
    return "This scenario is already running at Make, and Make runs one execution of it at a time. Wait for that run to end, then run it again. ";
  return "";
}
