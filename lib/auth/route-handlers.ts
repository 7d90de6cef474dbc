/**
 * The auth route's `handlers`: Auth.js's GET and POST with this app's request handling around them, composed
 * once here so app/api/auth/[...nextauth]/route.ts stays one line. Edit it to add or reorder a wrapper.
 */
import type { NextRequest } from "next/server";
import { handlers as authJs } from "@/auth";
import { withPublicUrl, withRedirectProxyAllowlist } from "@/lib/auth/public-url";
import { withoutSignInQuery } from "@/lib/auth/sign-in-query";
import { withSignInErrorReasons } from "@/lib/auth/sign-in-errors";
import { ACCOUNT_MISMATCH_PAGE, noteMakeCallback } from "@/lib/make/auth";

type RouteHandler = (request: NextRequest) => Promise<Response>;

/**
 * Outermost first, each seeing the request as the one before left it:
 * 1. `withPublicUrl`: the request as the browser addressed it, so `redirect_uri` is one string throughout;
 * 2. `withoutSignInQuery` (POST only): a sign-in POST's query cannot override the authorization request;
 * 3. `withRedirectProxyAllowlist`: Make's answer is forwarded only to allowed origins, judged on the final
 *    response, after the error reasons below have rewritten it;
 * 4. `withSignInErrorReasons`: a failed sign-in lands on the error page with a precise reason (a second
 *    Make user on the account-mismatch page); a Make callback that signed someone in is noted for make:doctor.
 */
const wrap = (handler: RouteHandler, { post }: { post: boolean }): RouteHandler => {
  const reasons = { onSignedIn: noteMakeCallback, accountMismatchPage: ACCOUNT_MISMATCH_PAGE };
  const inner = withRedirectProxyAllowlist(withSignInErrorReasons(handler, reasons));
  return withPublicUrl(post ? withoutSignInQuery(inner) : inner);
};

export const handlers = {
  GET: wrap(authJs.GET, { post: false }),
  POST: wrap(authJs.POST, { post: true }),
};
