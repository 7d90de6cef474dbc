import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { accountJustDeleted, currentUser, safeRedirectPath, signInChoices } from "@/lib/auth";
import { SignInButton } from "@/components/sign-in-button";
import { Notice } from "@/components/ui/notice";
import { site } from "@/lib/site";

/** What a link to the app shows when shared: the Open Graph image is public/og.png. */
export const metadata: Metadata = {
  openGraph: {
    type: "website",
    siteName: site.name,
    title: site.name,
    description: site.description,
    images: [{ url: "/og.png", width: 1200, height: 630, alt: `${site.name}: connect your Make account` }],
  },
  twitter: { card: "summary_large_image" },
};

export default async function LandingPage({
  searchParams,
}: {
  searchParams: Promise<{ callbackUrl?: string }>;
}) {
  const { callbackUrl } = await searchParams;
  if (await currentUser()) redirect(safeRedirectPath(callbackUrl));
  const deleted = await accountJustDeleted();

  return (
    <main className="mx-auto flex min-h-screen max-w-2xl flex-col justify-center gap-8 px-6 py-16">
      <div className="space-y-4">
        <p className="text-sm font-semibold tracking-wide text-make uppercase dark:text-make-light">
          {site.name}
        </p>
        <h1 className="text-4xl font-bold tracking-tight">Connect your Make account</h1>
        <p className="text-lg text-slate-600 dark:text-slate-300">
          Sign in with Make over OpenID Connect. Your Make connection is kept on the server, renewed before it
          expires, and you can revoke it at any time from your dashboard.
        </p>
      </div>
      {deleted && (
        <Notice tone="success" role="status" data-account-deleted>
          Your account was deleted. This app&apos;s access to your Make account is revoked at Make (retried
          until Make confirms).
        </Notice>
      )}
      <div className="flex flex-wrap gap-3">
        {signInChoices().map((provider) => (
          <SignInButton key={provider.id} provider={provider} redirectTo={callbackUrl} />
        ))}
      </div>
      <ul className="grid gap-3 text-sm text-slate-600 sm:grid-cols-3 dark:text-slate-300">
        <li className="rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
          Tokens never reach your browser.
        </li>
        <li className="rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
          Access is renewed without signing you out.
        </li>
        <li className="rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
          Revoke really revokes, at Make too.
        </li>
      </ul>
    </main>
  );
}
