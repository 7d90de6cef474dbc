import Link from "next/link";

export const metadata = { title: "Page not found" };

/** Unknown paths: a plain page, served with the same security headers as every other response. */
export default function NotFound() {
  return (
    <main className="mx-auto flex min-h-screen max-w-xl flex-col justify-center gap-6 px-6">
      <div
        data-not-found
        className="space-y-3 rounded-xl border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900"
      >
        <h1 className="text-2xl font-semibold">This page does not exist</h1>
        <p className="text-slate-700 dark:text-slate-300">
          The address may be mistyped, or the page may have moved.
        </p>
      </div>
      <Link href="/" className="text-make underline underline-offset-4 dark:text-make-light">
        Back to the start page
      </Link>
    </main>
  );
}
