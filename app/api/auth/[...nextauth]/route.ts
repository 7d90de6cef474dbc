import { handlers } from "@/auth";
import { withoutSignInQuery, withPublicUrl, withRedirectProxyAllowlist } from "@/lib/auth";
import { withSignInErrorReasons } from "@/lib/make";

export const GET = withPublicUrl(withRedirectProxyAllowlist(withSignInErrorReasons(handlers.GET)));
export const POST = withPublicUrl(
  withoutSignInQuery(withRedirectProxyAllowlist(withSignInErrorReasons(handlers.POST))),
);
