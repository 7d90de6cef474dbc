/**
 * "Download my data": the signed-in user's data as a JSON file (./data.ts says what is in it). GET, so a
 * plain link downloads it; it changes nothing, and the session cookie (SameSite=Lax) is not sent by other
 * sites' subresource requests.
 */
import { currentUser } from "@/lib/auth";
import { exportUserData } from "../data";

export const dynamic = "force-dynamic";
// Long enough for a Make token refresh to finish under its lease (lib/make/README.md, "Time limits on the platform").
export const maxDuration = 60;

export async function GET() {
  const user = await currentUser();
  if (!user) return Response.json({ error: "not_signed_in" }, { status: 401 });
  const data = await exportUserData(user.id);
  return new Response(JSON.stringify(data, null, 2), {
    headers: {
      "content-type": "application/json; charset=utf-8",
      "content-disposition": 'attachment; filename="my-data.json"',
      "cache-control": "no-store",
    },
  });
}
