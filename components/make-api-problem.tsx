/**
 * A failed use of the Make connection, in words the user can act on (`describeMakeProblem`): Make's own
 * message is shown as text (never markup), a scope current-authorization shows missing offers "Grant
 * access", any other 403 says whom to ask, a spent request limit says when to try again.
 */
import { describeMakeProblem } from "@/lib/make";
import { GrantAccess } from "@/components/grant-access";

export function MakeApiProblem({
  error,
  returnTo,
  grant,
  asked,
}: {
  error: unknown;
  returnTo: string;
  grant: (formData: FormData) => Promise<void>;
  /** Scopes a Grant access just asked for (see GrantAccess). */
  asked?: string[];
}) {
  const problem = describeMakeProblem(error);
  if (problem.missingScope) {
    return <GrantAccess scopes={[problem.missingScope]} returnTo={returnTo} grant={grant} asked={asked} />;
  }
  return (
    <p
      role="alert"
      data-make-error={problem.kind}
      className="rounded-lg border border-red-200 bg-red-50 p-3 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100"
    >
      {problem.message}
    </p>
  );
}
