import { handlers } from "@/auth";
import { withPublicUrl } from "@/lib/auth";
import { withSignInErrorReasons } from "@/lib/make";

export const GET = withPublicUrl(withSignInErrorReasons(handlers.GET));
export const POST = withPublicUrl(withSignInErrorReasons(handlers.POST));
