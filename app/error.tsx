"use client";
/**
 * What a visitor sees when a page fails on the server, e.g. while the database is down: plain words and a
 * way to retry, never the error itself (it may hold details an attacker could use). The reference is the
 * digest Next prints next to the error in the server log, so a report can be matched to it.
 * @see https://nextjs.org/docs/app/api-reference/file-conventions/error
 */
import Link from "next/link";
import { useRouter } from "next/navigation";
import { startTransition } from "react";
import { Button } from "@/components/ui/button";
import { UnavailableNotice } from "@/components/unavailable-notice";

export default function ErrorPage({
  error,
  reset,
}: {
  error: Error & { digest?: string };
  reset: () => void;
}) {
  const router = useRouter();
  const retry = () =>
    startTransition(() => {
      router.refresh();
      reset();
    });
  return (
    <main className="mx-auto flex min-h-screen max-w-xl flex-col justify-center gap-6 px-6">
      <UnavailableNotice digest={error.digest}>
        Part of our service is not answering just now. Your Make connection is kept as it was. Please try
        again in a moment.
      </UnavailableNotice>
      <div className="flex gap-4">
        <Button type="button" tone="primary" onClick={retry}>
          Try again
        </Button>
        <Link href="/" className="self-center text-make underline underline-offset-4 dark:text-make-light">
          Back to the start page
        </Link>
      </div>
    </main>
  );
}
