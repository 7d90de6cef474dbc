import { startSignIn } from "@/lib/make";

/**
 * "Sign in with <provider>": a form posting to a server action, so it works without JavaScript and Next
 * checks the Origin of the POST. One per provider (lib/auth/providers.ts lists them).
 */
export function SignInButton({
  provider,
  redirectTo,
}: {
  provider: { id: string; name: string };
  redirectTo?: string;
}) {
  async function signInWithProvider() {
    "use server";
    await startSignIn(provider.id, { returnTo: redirectTo });
  }
  return (
    <form action={signInWithProvider}>
      <button
        type="submit"
        className="inline-flex items-center gap-2 rounded-lg bg-make px-5 py-2.5 font-medium text-white shadow-sm hover:bg-make-dark focus:outline-none focus-visible:ring-2 focus-visible:ring-make focus-visible:ring-offset-2 dark:focus-visible:ring-make-light dark:focus-visible:ring-offset-slate-950"
      >
        Sign in with {provider.name}
      </button>
    </form>
  );
}
