/**
 * Whether Make (the stand-in) still honours the grant behind a refresh token: one refresh attempt tells.
 * The attempt rotates a live token, so call it only to prove a grant is dead.
 */
import { STAND_IN_CLIENTS, type MakeStandIn } from "@/make-stand-in/server";

export async function grantIsLive(standIn: MakeStandIn, refreshToken: string): Promise<boolean> {
  const response = await fetch(`${standIn.issuer}/oauth/v2/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "refresh_token",
      refresh_token: refreshToken,
      client_id: STAND_IN_CLIENTS.confidential.clientId,
      client_secret: STAND_IN_CLIENTS.confidential.clientSecret,
    }),
  });
  return response.status === 200;
}
