import { handlers } from "@/auth";
import { withPublicUrl } from "@/lib/auth/public-url";
import { withSignInErrorReasons } from "@/lib/auth/sign-in-errors";

export const GET = withPublicUrl(withSignInErrorReasons(handlers.GET));
export const POST = withPublicUrl(withSignInErrorReasons(handlers.POST));
