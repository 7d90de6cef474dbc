/**
 * Sends visitors without a session cookie from /dashboard to the start page before any rendering.
 * Only the cookie's presence counts here (no database in the proxy); the page verifies the session.
 *
 * The matcher's `missing` conditions keep signed-in requests from entering the proxy at all: Next.js
 * checks them while routing, whereas running the proxy costs every request CPU time (bench/README.md).
 * The cookie names are literals because Next.js reads this config statically; they are the two of
 * SESSION_COOKIES (auth.config.ts), and tests/unit/auth-helpers.test.ts keeps them equal.
 * @see https://nextjs.org/docs/app/api-reference/file-conventions/proxy#matcher
 */
import { NextResponse, type NextRequest } from "next/server";
import { SESSION_COOKIES } from "@/auth.config";

export function proxy(request: NextRequest) {
  if (SESSION_COOKIES.some((name) => request.cookies.has(name))) return NextResponse.next();
  const landing = new URL("/", request.url);
  landing.searchParams.set("callbackUrl", request.nextUrl.pathname);
  return NextResponse.redirect(landing);
}

export const config = {
  matcher: [
    {
      source: "/dashboard/:path*",
      missing: [
        { type: "cookie", key: "authjs.session-token" },
        { type: "cookie", key: "__Secure-authjs.session-token" },
      ],
    },
  ],
};
