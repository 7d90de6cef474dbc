/**
 * An example of calling Make's API on the user's behalf from your own route: the signed-in user's Make
 * profile (`GET /users/me`). The access token comes from getMakeAccessToken, which renews it when needed;
 * the token itself never appears in the response.
 */
import { currentUser, preloadedTokenRow } from "@/lib/auth/session";
import { getMakeAccessToken } from "@/lib/tokens/access-token";
import { MakeConnectionError } from "@/lib/tokens/errors";
import { currentMakeUser, MakeApiError } from "@/lib/make/api";

export const dynamic = "force-dynamic";

export async function GET() {
  const user = await currentUser();
  if (!user) return Response.json({ error: "not_signed_in" }, { status: 401 });
  try {
    const token = await getMakeAccessToken(user.id, preloadedTokenRow(user));
    return Response.json({ user: await currentMakeUser(token.accessToken) });
  } catch (error) {
    if (error instanceof MakeConnectionError) {
      const status = error.reason === "make_unavailable" || error.reason === "refresh_busy" ? 503 : 409;
      return Response.json({ error: error.reason, message: error.message }, { status });
    }
    if (error instanceof MakeApiError) return Response.json({ error: "make_api_error", status: error.status }, { status: 502 });
    throw error;
  }
}
