"use client";
/**
 * The last line: replaces the root layout when the layout itself fails. Same words as app/error.tsx, and
 * its own <html> and <body> because the layout that provides them is what failed.
 * @see https://nextjs.org/docs/app/api-reference/file-conventions/error#global-error
 */
import "./globals.css";
import { UnavailableNotice } from "@/components/unavailable-notice";

export default function GlobalError({ error }: { error: Error & { digest?: string } }) {
  return (
    <html lang="en">
      <body className="min-h-screen font-sans">
        <main className="mx-auto flex min-h-screen max-w-xl flex-col justify-center gap-6 px-6">
          <UnavailableNotice digest={error.digest}>
            Part of our service is not answering just now. Please try again in a moment.
          </UnavailableNotice>
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
