"use client";
/**
 * The last line: replaces the root layout when the layout itself fails. Same words as app/error.tsx, and
 * its own <html> and <body> because the layout that provides them is what failed.
 * @see https://nextjs.org/docs/app/api-reference/file-conventions/error#global-error
 */
import "./globals.css";
import { Card } from "@/components/ui/card";

export default function GlobalError({ error }: { error: Error & { digest?: string } }) {
  return (
    <html lang="en">
      <body className="min-h-screen font-sans">
        <main className="mx-auto flex min-h-screen max-w-xl flex-col justify-center gap-6 px-6">
          <Card as="div" tone="warning" role="alert" data-app-error="unavailable" className="space-y-3">
            <h1 className="text-2xl font-semibold text-amber-800 dark:text-amber-200">
              This page is temporarily unavailable
            </h1>
            <p className="text-slate-700 dark:text-slate-300">
              Part of our service is not answering just now. Please try again in a moment.
            </p>
            {error.digest && (
              <p className="text-sm text-slate-500 dark:text-slate-400">Reference: {error.digest}</p>
            )}
          </Card>
          {/* A full page load: the client router may be what is broken. */}
          {/* eslint-disable-next-line @next/next/no-html-link-for-pages -- a full load, not client navigation */}
          <a href="/" className="text-make underline underline-offset-4 dark:text-make-light">
            Back to the start page
          </a>
        </main>
      </body>
    </html>
  );
}
