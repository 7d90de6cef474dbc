/**
 * The errors of the stand-in's Make API, each with Make's body `{ detail, message, code, suberrors? }`.
 * Handlers throw these; make-api.ts sends them.
 */

export interface MakeErrorBody {
  detail?: string;
  message: string;
  code: string;
  suberrors?: Array<{ message: string; code: string }>;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: MakeErrorBody,
    readonly headers: Record<string, string> = {},
  ) {
    super(body.message);
  }
}

export const unauthorized = () =>
  new ApiError(
    401,
    {
      detail: "Access token is missing, invalid, expired or revoked",
      message: "Unauthorized",
      code: "SC401",
    },
    { "www-authenticate": 'Bearer error="invalid_token"' },
  );

/** Make documents one body for every permission error, a missing scope included, and no scope challenge. */
export const permissionDenied = () =>
  new ApiError(403, { detail: "Access denied.", message: "Permission denied", code: "SC403" });

export const notFound = (detail: string) =>
  new ApiError(404, { detail, message: "Not found", code: "SC404" });

export const invalidInput = (detail: string) =>
  new ApiError(400, { detail, message: "Validation failed", code: "IM002" });

export const wrongZone = (organizationId: number, zone: string) =>
  new ApiError(400, {
    detail: "User has no organization in the zone",
    message: "Invalid zone",
    code: "IM005",
    suberrors: [{ message: `Organization ${organizationId} lives in ${zone}`, code: "IM005" }],
  });

/** Make's 429; `Retry-After` only when the `retryAfterOn429` switch asks for it. */
export const rateLimited = (retryAfterSeconds: number | undefined) =>
  new ApiError(
    429,
    {
      detail: "Requests limit for organization exceeded, please try again later.",
      message: "Requests limit for organization exceeded, please try again later.",
      code: "SC429",
    },
    retryAfterSeconds === undefined ? {} : { "retry-after": String(retryAfterSeconds) },
  );

export const notImplemented = (method: string, path: string) =>
  new ApiError(501, {
    detail:
      `The local Make stand-in does not implement ${method} ${path}. ` +
      "Add it to the route table in make-stand-in/make-api.ts (see docs/extending.md).",
    message: "Not implemented",
    code: "SC501",
  });

/** The failure switch's answer for the API (`fail({ endpoint: "api", ... })`). */
export const switchedFailure = (status: number) =>
  status === 401
    ? new ApiError(status, { detail: "Access token is invalid", message: "Unauthorized", code: "SC401" })
    : new ApiError(status, {
        detail: `Stand-in failure switch answered ${status}`,
        message: "Service unavailable",
        code: `SC${status}`,
      });
