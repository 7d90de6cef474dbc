import { describe, expect, it } from "vitest";
import { MakeError } from "@makehq/sdk";
import {
  describeMakeApiError,
  describeMakeProblem,
  makeApiErrorFromException,
  makeApiErrorFromResponse,
  parseRetryAfter,
} from "@/lib/make/connection/errors";

const answer = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

describe("Make API errors", () => {
  it("keeps Make's whole error body and shows its message as plain text", async () => {
    const error = await makeApiErrorFromResponse(
      answer(400, {
        detail: "User has no organization in the zone",
        message: "Invalid zone",
        code: "IM005",
        suberrors: [{ message: "Organization 5011 lives in us2.make.com", code: "IM005" }],
      }),
    );
    expect(error).toBeInstanceOf(MakeError);
    expect(error).toMatchObject({ kind: "rejected", status: 400, statusCode: 400, code: "IM005" });
    expect(error.message).toBe("User has no organization in the zone");
    expect(error.subErrors).toEqual(["Organization 5011 lives in us2.make.com"]);
    expect(describeMakeApiError(error)).toContain(
      "User has no organization in the zone Organization 5011 lives in us2.make.com",
    );
  });

  it("names a missing scope of a 403 only from a challenge; Make's permission 403 says what to do", async () => {
    const challenged = await makeApiErrorFromResponse(
      answer(
        403,
        { message: "Forbidden", code: "SC403" },
        { "www-authenticate": 'Bearer error="insufficient_scope", scope="scenarios:read"' },
      ),
    );
    expect(challenged).toMatchObject({ kind: "forbidden", missingScope: "scenarios:read" });
    expect(describeMakeApiError(challenged)).toContain("“scenarios:read” permission");
    // Make's documented 403: no challenge, so no scope is guessed (the call's own is not "missing").
    const permission = await makeApiErrorFromResponse(
      answer(403, { detail: "Access denied.", message: "Permission denied", code: "SC403" }),
    );
    expect(permission.missingScope).toBeUndefined();
    expect(describeMakeProblem(permission).missingScope).toBeUndefined();
    expect(describeMakeApiError(permission)).toContain("Ask the organization's admin");
    expect(describeMakeApiError(permission)).toContain("Make says: “Access denied.”");
  });

  it("reads Retry-After on a 429 and says when to try again", async () => {
    const limited = await makeApiErrorFromResponse(
      answer(429, { detail: "Requests limit for organization exceeded" }, { "retry-after": "42" }),
    );
    expect(limited).toMatchObject({ kind: "rate_limited", retryAfterSeconds: 42 });
    expect(describeMakeApiError(limited)).toBe(
      "Make's request limit for this organization was reached. Try again in 42 seconds. Make says: “Requests limit for organization exceeded”",
    );
    expect(
      parseRetryAfter(new Date(Date.UTC(2026, 0, 1, 0, 0, 30)).toUTCString(), Date.UTC(2026, 0, 1)),
    ).toBe(30);
    expect(parseRetryAfter("soon")).toBeUndefined();
  });

  it("words a 501 as a request Make does not offer, in Make's words, never as 'try again'", async () => {
    const error = await makeApiErrorFromResponse(
      answer(501, {
        detail: "The local Make stand-in does not implement GET /api/v2/hooks. Add it to the route table.",
        message: "Not implemented",
        code: "SC501",
      }),
    );
    expect(error.kind).toBe("rejected");
    expect(describeMakeApiError(error)).toBe(
      "Make could not complete the request. Make says: “The local Make stand-in does not implement " +
        "GET /api/v2/hooks. Add it to the route table.”",
    );
  });

  it("maps 401, 404, 5xx, a body that is not JSON, a timeout and a refused connection", async () => {
    expect((await makeApiErrorFromResponse(answer(401, { message: "Unauthorized" }))).kind).toBe(
      "unauthorized",
    );
    expect((await makeApiErrorFromResponse(answer(404, { message: "Not found" }))).kind).toBe("not_found");
    const html = await makeApiErrorFromResponse(new Response("<html>Bad gateway</html>", { status: 502 }));
    expect(html).toMatchObject({ kind: "unavailable", body: {}, message: "Make answered 502" });
    const timeout = makeApiErrorFromException(new DOMException("The operation timed out.", "TimeoutError"));
    expect(timeout).toMatchObject({
      kind: "unavailable",
      status: null,
      message: "Make did not answer in time",
    });
    expect(makeApiErrorFromException(new TypeError("fetch failed")).message).toBe(
      "Make could not be reached",
    );
  });
});
