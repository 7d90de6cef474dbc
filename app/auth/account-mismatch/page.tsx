import Link from "next/link";
import { currentUser } from "@/lib/auth";
import { connectionStatus } from "@/lib/make";
import { Card } from "@/components/ui/card";

export const metadata = { title: "Another Make account" };

/** Where a Reconnect with another Make user than the connected one lands. Nothing was changed. */
export default async function AccountMismatchPage() {
  const user = await currentUser();
  const connected = user ? (await connectionStatus(user.id)).status.sub : null;
  return (
    <main className="mx-auto flex min-h-screen max-w-xl flex-col justify-center gap-6 px-6">
      <Card as="div" tone="warning" role="alert" data-account-mismatch className="space-y-3">
        <h1 className="text-2xl font-semibold text-amber-800 dark:text-amber-200">
          You signed in to Make as a different user
        </h1>
        <p className="text-slate-700 dark:text-slate-300">
          {connected ? (
            <>
              Your account here is connected to Make user{" "}
              <span data-connected-make-user className="font-mono">
                {connected}
              </span>
              {user?.name ? ` (${user.name})` : ""}. Make just answered for another user, so nothing was
              changed: each account of this app has one Make account.
            </>
          ) : (
            "Make answered for another user than the one connected to your account, so nothing was changed."
          )}
        </p>
        <ul className="list-disc space-y-1 pl-5 text-slate-700 dark:text-slate-300">
          <li>
            To reconnect Make user {connected ?? "connected here"}: sign out of Make in this browser, then use
            Reconnect and sign in to Make as that user.
          </li>
          <li>To stop using it here: revoke the connection on your dashboard first.</li>
          <li>To use the other Make account: sign out of this app and sign in with that Make account.</li>
        </ul>
      </Card>
      <Link
        href={user ? "/dashboard" : "/"}
        className="text-make underline underline-offset-4 dark:text-make-light"
      >
        {user ? "Back to your dashboard" : "Back to the start page"}
      </Link>
    </main>
  );
}
