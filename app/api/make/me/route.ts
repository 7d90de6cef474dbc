/**
 * An example of calling Make's API on the user's behalf from your own route: the signed-in user's Make
 * profile (`GET /users/me`). `MakeApi.forUser` takes the token from the Make module and renews it when
 * needed; the token itself never appears in the response, Make's error message does.
 */
import { currentUser } from "@/lib/auth";
import { currentMakeUser, describeMakeProblem, MakeApi, MakeApiError, MakeConnectionError } from "@/lib/make";

export const dynamic = "force-dynamic";
// Long enough for a Make token refresh to finish under its lease (lib/make/README.md, "Time limits on the platform").
export const maxDuration = 60;

// Make's profile of one user: never kept by a browser's or a proxy's cache.
const NO_STORE = { "cache-control": "no-store" };

function statusOf(error: unknown): number {
  if (error instanceof MakeConnectionError) {
    return ["make_unavailable", "refresh_busy", "key_unavailable"].includes(error.reason) ? 503 : 409;
  }
  if (error instanceof MakeApiError)
    return error.kind === "rate_limited" ? 429 : error.kind === "forbidden" ? 403 : 502;
  return 500;
}

export async function GET() {
  const user = await currentUser();
  if (!user) return Response.json({ error: "not_signed_in" }, { status: 401, headers: NO_STORE });
  try {
    const api = await MakeApi.forUser(user.id);
    return Response.json({ user: await currentMakeUser(api) }, { headers: NO_STORE });
  } catch (error) {
    if (!(error instanceof MakeConnectionError || error instanceof MakeApiError)) throw error;
    const problem = describeMakeProblem(error);
    const body =
      error instanceof MakeConnectionError
        ? { error: error.reason, message: problem.message }
        : { error: `make_${error.kind}`, code: error.code ?? null, message: problem.message };
    const headers = problem.retryAfterSeconds
      ? { ...NO_STORE, "retry-after": String(problem.retryAfterSeconds) }
      : NO_STORE;
    return Response.json(body, { status: statusOf(error), headers });
  }
}
