import { signIn } from "@/auth";
import { redirect } from "next/navigation";
import { signInDestination } from "@/lib/auth/sign-in-errors";
import { safeRedirectPath } from "@/lib/auth/safe-redirect";
import { MAKE_PROVIDER_ID } from "@/lib/make/provider-id";

/** A form posting to a server action: works without JavaScript, and Next checks the Origin of the POST. */
export function SignInButton({
  label = "Sign in with Make",
  redirectTo,
}: {
  label?: string;
  redirectTo?: string;
}) {
  async function signInWithMake() {
    "use server";
    redirect(
      await signInDestination(() =>
        signIn(MAKE_PROVIDER_ID, { redirectTo: safeRedirectPath(redirectTo), redirect: false }),
      ),
    );
  }
  return (
    <form action={signInWithMake}>
      <button
        type="submit"
        className="inline-flex items-center gap-2 rounded-lg bg-make px-5 py-2.5 font-medium text-white shadow-sm hover:bg-make-dark focus:outline-none focus-visible:ring-2 focus-visible:ring-make focus-visible:ring-offset-2 dark:focus-visible:ring-make-light dark:focus-visible:ring-offset-slate-950"
      >
        {label}
      </button>
    </form>
  );
}
