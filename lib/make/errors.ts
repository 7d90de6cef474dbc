/**
 * What went wrong with a call to Make's REST API, as a typed error a page can act on. Make answers errors
 * with a JSON body `{ detail, message, code, suberrors }`; all of it is kept, and `describeMakeApiError`
 * turns it into words for the user. Extends the SDK's MakeError, so code written against the SDK still works.
 * @see https://developers.make.com/api-documentation/getting-started/error-handling
 */
import { MakeError } from "@makehq/sdk";

export type MakeApiFailure =
  /** 401: Make does not accept the access token (revoked or expired at Make). */
  | "unauthorized"
  /** 403: a scope or a permission is missing. */
  | "forbidden"
  /** 429: the organization's per-minute request budget is spent. */
  | "rate_limited"
  | "not_found"
  /** Any other 4xx: Make refused the request as sent (a wrong zone answers like this). */
  | "rejected"
  /** 5xx, a timeout or a network failure: try again later. */
  | "unavailable";

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
    readonly details: { retryAfterSeconds?: number; missingScope?: string; cause?: unknown } = {},
  ) {
    super(
      body.detail ?? body.message ?? (status ? `Make answered ${status}` : "Make could not be reached"),
      status ?? 0,
    );
    this.kind = failureKind(status);
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

export async function makeApiErrorFromResponse(
  response: Response,
  requiredScope?: string,
): Promise<MakeApiError> {
  const body = readBody(await response.json().catch(() => undefined));
  return new MakeApiError(response.status, body, {
    retryAfterSeconds: parseRetryAfter(response.headers.get("retry-after")),
    missingScope:
      response.status === 403
        ? (challengedScope(response.headers.get("www-authenticate")) ?? requiredScope)
        : undefined,
  });
}

/** A request that got no answer (timeout, refused connection, DNS) is `unavailable`. */
export function makeApiErrorFromException(error: unknown): MakeApiError {
  const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
  const message = timedOut ? "Make did not answer in time" : "Make could not be reached";
  return new MakeApiError(null, { message }, { cause: error });
}

/** Plain words for the user: what happened and what they can do. Make's own message is kept in it. */
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
        : `Make refused: a permission or scope is missing.${makeSays}`;
    case "unauthorized":
      return `Make no longer accepts this connection. Reconnect to continue.${makeSays}`;
    case "unavailable":
      return `${error.message}. Try again in a moment.`;
    default:
      return `Make could not complete the request.${makeSays}`;
  }
}
