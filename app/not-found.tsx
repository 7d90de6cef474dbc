import Link from "next/link";
import { Card } from "@/components/ui/card";

export const metadata = { title: "Page not found" };

/** Unknown paths: a plain page, served with the same security headers as every other response. */
export default function NotFound() {
  return (
    <main className="mx-auto flex min-h-screen max-w-xl flex-col justify-center gap-6 px-6">
      <Card as="div" data-not-found className="space-y-3">
        <h1 className="text-2xl font-semibold">This page does not exist</h1>
        <p className="text-slate-700 dark:text-slate-300">
          The address may be mistyped, or the page may have moved.
        </p>
      </Card>
      <Link href="/" className="text-make underline underline-offset-4 dark:text-make-light">
        Back to the start page
      </Link>
    </main>
  );
}
