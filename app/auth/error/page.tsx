import Link from "next/link";
import { isSignInFailure } from "@/lib/auth";
import { Card } from "@/components/ui/card";
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
      <Card as="div" tone="error" role="alert" data-sign-in-error={failure} className="space-y-3">
        <h1 className="text-2xl font-semibold text-red-700 dark:text-red-300">{message.title}</h1>
        <p className="text-slate-700 dark:text-slate-300">{message.detail}</p>
      </Card>
      <Link href="/" className="text-make underline underline-offset-4 dark:text-make-light">
        Back to the start page
      </Link>
    </main>
  );
}
