import Link from "next/link";
import { isSignInFailure } from "@/lib/make";
import { SIGN_IN_FAILURE_MESSAGES } from "./messages";

export const metadata = { title: "Sign-in failed" };

export default async function SignInErrorPage({
  searchParams,
}: {
  searchParams: Promise<{ reason?: string }>;
}) {
  const { reason } = await searchParams;
  const failure = isSignInFailure(reason) ? reason : "server_error";
  const message = SIGN_IN_FAILURE_MESSAGES[failure];
  return (
    <main className="mx-auto flex min-h-screen max-w-xl flex-col justify-center gap-6 px-6">
      <div
        role="alert"
        data-sign-in-error={failure}
        className="space-y-3 rounded-xl border border-red-200 bg-white p-6 shadow-sm dark:border-red-900 dark:bg-slate-900"
      >
        <h1 className="text-2xl font-semibold text-red-700 dark:text-red-300">{message.title}</h1>
        <p className="text-slate-700 dark:text-slate-300">{message.detail}</p>
      </div>
      <Link href="/" className="text-make underline underline-offset-4 dark:text-make-light">
        Back to the start page
      </Link>
    </main>
  );
}
