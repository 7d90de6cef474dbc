/**
 * A failed use of the Make connection, in words the user can act on (`describeMakeProblem`): Make's own
 * message is shown as text (never markup), a missing scope offers "Grant access", a spent request limit
 * says when to try again.
 */
import { describeMakeProblem } from "@/lib/make";
import { GrantAccess } from "@/components/grant-access";
import { Notice } from "@/components/ui/notice";

export function MakeApiProblem({
  error,
  returnTo,
  grant,
}: {
  error: unknown;
  returnTo: string;
  grant: (formData: FormData) => Promise<void>;
}) {
  const problem = describeMakeProblem(error);
  if (problem.missingScope) {
    return <GrantAccess scopes={[problem.missingScope]} returnTo={returnTo} grant={grant} />;
  }
  return (
    <Notice tone="error" role="alert" data-make-error={problem.kind}>
      {problem.message}
    </Notice>
  );
}
