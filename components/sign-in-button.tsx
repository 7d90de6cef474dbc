import { startSignIn } from "@/lib/auth";
import { Button } from "@/components/ui/button";

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
      <Button tone="primary" size="lg">
        Sign in with {provider.name}
      </Button>
    </form>
  );
}
