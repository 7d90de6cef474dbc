/**
 * Sends visitors without a session cookie from /dashboard to the start page before any rendering.
 * Only the cookie's presence is checked here (no database in the proxy); the page verifies the session.
 * @see https://nextjs.org/docs/app/api-reference/file-conventions/proxy
 */
import { NextResponse, type NextRequest } from "next/server";
import { SESSION_COOKIES } from "@/auth.config";

export function proxy(request: NextRequest) {
  if (SESSION_COOKIES.some((name) => request.cookies.has(name))) return NextResponse.next();
  const landing = new URL("/", request.url);
  landing.searchParams.set("callbackUrl", request.nextUrl.pathname);
  return NextResponse.redirect(landing);
}

export const config = { matcher: ["/dashboard/:path*"] };
