/**
 * A failed use of the Make connection, in words the user can act on (`describeMakeProblem`): Make's own
 * message is shown as text (never markup), a scope current-authorization shows missing offers "Grant
 * access", any other 403 says whom to ask, a spent request limit says when to try again.
 */
import { describeMakeProblem } from "@/lib/make";
import { GrantAccess } from "@/components/make/grant-access";
import { Notice } from "@/components/ui/notice";

export function MakeApiProblem({
  error,
  returnTo,
  asked,
}: {
  error: unknown;
  returnTo: string;
  /** Scopes a Grant access just asked for (see GrantAccess). */
  asked?: string[];
}) {
  const problem = describeMakeProblem(error);
  if (problem.missingScope) {
    return <GrantAccess scopes={[problem.missingScope]} returnTo={returnTo} asked={asked} />;
  }
  return (
    <Notice tone="error" role="alert" data-make-error={problem.kind}>
      {problem.message}
    </Notice>
  );
}
