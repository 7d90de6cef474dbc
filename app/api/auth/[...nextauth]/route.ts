import { handlers } from "@/auth";
import {
  withoutSignInQuery,
  withPublicUrl,
  withRedirectProxyAllowlist,
  withSignInErrorReasons,
} from "@/lib/auth";

// Long enough for the revocations a sign-in may start (lib/make/README.md, "Time limits on the platform").
export const maxDuration = 60;

export const GET = withPublicUrl(withRedirectProxyAllowlist(withSignInErrorReasons(handlers.GET)));
export const POST = withPublicUrl(
  withoutSignInQuery(withRedirectProxyAllowlist(withSignInErrorReasons(handlers.POST))),
);
