/**
 * Runs before /dashboard for visitors who have not had their session cookie renewed for a day:
 * - no session cookie: sent to the start page before any rendering (the page verifies real sessions);
 * - a session cookie: its expiry is pushed `maxAge` forward (a rolling session, like the database row
 *   lib/auth/session.ts extends), and a short-lived marker cookie says it was done.
 * The matcher's `missing` condition keeps every other request out of the proxy: Next.js checks it while
 * routing, so signed-in requests cost nothing here between renewals. No database here, only cookies.
 * @see https://nextjs.org/docs/app/api-reference/file-conventions/proxy#matcher
 */
import { NextResponse, type NextRequest } from "next/server";
import { authConfig, SESSION_RENEWED_COOKIE } from "@/auth.config";
import { deploymentUrl } from "@/lib/env";
import { sessionCookieName, SESSION_COOKIE } from "@/lib/auth/session-cookie";

export function proxy(request: NextRequest) {
  const forwardedProto =
    request.headers.get("x-forwarded-proto") ?? request.nextUrl.protocol.replace(":", "");
  const name = sessionCookieName({ authUrl: deploymentUrl(), forwardedProto });
  const session = request.cookies.get(name)?.value;
  if (!session) {
    const landing = new URL("/", request.url);
    landing.searchParams.set("callbackUrl", request.nextUrl.pathname);
    return NextResponse.redirect(landing);
  }
  const { maxAge, updateAge } = authConfig.session;
  // Re-issued under the name it was read by: a `__Host-` cookie stays Secure, path `/`, without a Domain.
  const secure = name !== SESSION_COOKIE;
  const flags = { httpOnly: true, sameSite: "lax", path: "/", secure } as const;
  const response = NextResponse.next();
  response.cookies.set(name, session, { ...flags, expires: new Date(Date.now() + maxAge * 1000) });
  response.cookies.set(SESSION_RENEWED_COOKIE, "1", { ...flags, maxAge: updateAge });
  return response;
}

export const config = {
  // The literal is SESSION_RENEWED_COOKIE (Next.js reads this config statically); a unit test checks it.
  matcher: [{ source: "/dashboard/:path*", missing: [{ type: "cookie", key: "session-renewed" }] }],
};
