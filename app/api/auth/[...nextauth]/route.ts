import { handlers } from "@/auth";
import { withSignInErrorReasons } from "@/lib/auth/sign-in-errors";

export const GET = withSignInErrorReasons(handlers.GET);
export const POST = withSignInErrorReasons(handlers.POST);
