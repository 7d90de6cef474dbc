/**
 * An example of calling Make's API on the user's behalf from your own route: the signed-in user's Make
 * profile (`GET /users/me`) through lib/make/api.ts, which takes the token from getMakeAccessToken and
 * renews it when needed. The token itself never appears in the response; Make's error message does.
 */
import { currentUser } from "@/lib/auth/session";
import { MakeConnectionError } from "@/lib/tokens/errors";
import { MakeApi } from "@/lib/make/api";
import { currentMakeUser } from "@/lib/make/calls";
import { describeMakeApiError, MakeApiError } from "@/lib/make/errors";

export const dynamic = "force-dynamic";

export async function GET() {
  const user = await currentUser();
  if (!user) return Response.json({ error: "not_signed_in" }, { status: 401 });
  try {
    const api = await MakeApi.forUser(user);
    return Response.json({ user: await currentMakeUser(api) });
  } catch (error) {
    if (error instanceof MakeConnectionError) {
      const status = error.reason === "make_unavailable" || error.reason === "refresh_busy" ? 503 : 409;
      return Response.json({ error: error.reason, message: error.message }, { status });
    }
    if (error instanceof MakeApiError) {
      const status = error.kind === "rate_limited" ? 429 : error.kind === "forbidden" ? 403 : 502;
      const headers = error.retryAfterSeconds
        ? { "retry-after": String(error.retryAfterSeconds) }
        : undefined;
      const body = {
        error: `make_${error.kind}`,
        code: error.code ?? null,
        message: describeMakeApiError(error),
      };
      return Response.json(body, { status, headers });
    }
    throw error;
  }
}
