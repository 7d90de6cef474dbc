/**
 * Runs before every page: gives it a Content Security Policy with a fresh script nonce, and on /dashboard
 * turns away visitors without a session cookie and rolls a day-old cookie's expiry forward. Cookies only, no
 * database: the page checks the session (docs/architecture.md, "proxy.ts").
 * @see https://nextjs.org/docs/app/guides/content-security-policy#adding-a-nonce-with-proxy
 */
import { NextResponse, type NextRequest } from "next/server";
import { authConfig, SESSION_RENEWED_COOKIE } from "@/auth.config";
import { contentSecurityPolicy, newNonce } from "@/lib/content-security-policy";
import { deploymentUrl } from "@/lib/env";
import { besideSessionCookie, sessionCookieName, SESSION_COOKIE } from "@/lib/auth/session-cookie";

export function proxy(request: NextRequest) {
  const policy = contentSecurityPolicy(process.env, {
    nonce: newNonce(),
    development: process.env.NODE_ENV !== "production",
  });
  const response = request.nextUrl.pathname.startsWith("/dashboard")
    ? renewSession(request, policy)
    : render(request, policy);
  response.headers.set("content-security-policy", policy);
  return response;
}

/** On to the page, whose rendering reads the nonce from the request's policy. */
function render(request: NextRequest, policy: string) {
  const headers = new Headers(request.headers);
  headers.set("content-security-policy", policy);
  return NextResponse.next({ request: { headers } });
}

function renewSession(request: NextRequest, policy: string) {
  const forwardedProto =
    request.headers.get("x-forwarded-proto") ?? request.nextUrl.protocol.replace(":", "");
  const name = sessionCookieName({ authUrl: deploymentUrl(), forwardedProto });
  const session = request.cookies.get(name)?.value;
  if (!session) {
    const landing = new URL("/", request.url);
    landing.searchParams.set("callbackUrl", request.nextUrl.pathname);
    return NextResponse.redirect(landing);
  }
  const response = render(request, policy);
  const renewed = besideSessionCookie(name, SESSION_RENEWED_COOKIE);
  if (request.cookies.has(renewed)) return response;
  const { maxAge, updateAge } = authConfig.session;
  // Re-issued under the name it was read by: a `__Host-` cookie stays Secure, path `/`, without a Domain.
  const secure = name !== SESSION_COOKIE;
  const flags = { httpOnly: true, sameSite: "lax", path: "/", secure } as const;
  response.cookies.set(name, session, { ...flags, expires: new Date(Date.now() + maxAge * 1000) });
  response.cookies.set(renewed, "1", { ...flags, maxAge: updateAge });
  return response;
}

export const config = {
  matcher: [
    {
      source: "/((?!api/|_next/static/|_next/image|.*\\.[a-z0-9]+$).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
