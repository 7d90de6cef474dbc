/**
 * The user's account: download what the app holds about them, or delete it all. Deleting revokes the
 * Make connection at Make first (queued if Make is down), then removes every row of the user.
 */
import Link from "next/link";
import { currentSessionTimes, requireUser } from "@/lib/auth";
import { env } from "@/lib/env";
import { formatDate } from "@/components/format";
import { DeleteAccountForm } from "@/components/account/delete-account-form";
import { deleteAccount } from "./actions";

export const metadata = { title: "Your account" };

const card = "rounded-xl border bg-white p-6 shadow-sm dark:bg-slate-900";
const neutralCard = `${card} border-slate-200 dark:border-slate-800`;
const dangerCard = `${card} border-red-200 dark:border-red-900`;

export default async function AccountPage() {
  const user = await requireUser("/dashboard/account");
  const session = await currentSessionTimes();
  return (
    <div className="space-y-6">
      <div>
        <Link href="/dashboard" className="text-sm text-make hover:underline dark:text-make-light">
          ← Dashboard
        </Link>
        <h1 className="mt-1 text-2xl font-bold">Your account</h1>
        <p className="mt-1 text-sm text-slate-600 dark:text-slate-300">
          Signed in as {user.name ?? user.email ?? "a Make user"}.
        </p>
      </div>
      {session && (
        <section className={neutralCard} aria-labelledby="session-heading">
          <h2 id="session-heading" className="text-lg font-semibold">
            This session
          </h2>
          <p className="mt-1 text-sm text-slate-600 dark:text-slate-300" data-session-lifetime>
            You signed in on{" "}
            <time dateTime={session.signedInAt.toISOString()}>{formatDate(session.signedInAt)}</time>. However
            often you use it, this session ends on{" "}
            <time dateTime={session.endsBy.toISOString()} data-session-ends-by>
              {formatDate(session.endsBy)}
            </time>{" "}
            ({env.AUTH_SESSION_MAX_AGE_DAYS} days after signing in), and you sign in again then.
          </p>
        </section>
      )}
      <section className={neutralCard} aria-labelledby="export-heading">
        <h2 id="export-heading" className="text-lg font-semibold">
          Download my data
        </h2>
        <p className="mt-1 text-sm text-slate-600 dark:text-slate-300">
          A JSON file with your profile, your Make connection&apos;s status and activity, your sessions and
          your scenario runs. It contains no token.
        </p>
        <a
          href="/dashboard/account/export"
          download
          className="mt-4 inline-block rounded-lg bg-make px-4 py-2 text-sm font-medium text-white shadow-sm hover:bg-make-dark"
        >
          Download my data
        </a>
      </section>
      <section className={dangerCard} aria-labelledby="delete-heading">
        <h2 id="delete-heading" className="text-lg font-semibold">
          Delete account
        </h2>
        <p className="mt-1 text-sm text-slate-600 dark:text-slate-300">
          Revokes this app&apos;s access at Make, then deletes your account, your sessions on every device and
          everything stored about you. This cannot be undone.
        </p>
        <DeleteAccountForm action={deleteAccount} />
      </section>
    </div>
  );
}
