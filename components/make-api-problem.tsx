/**
 * A failed call to Make's API, in words the user can act on: Make's own message is shown as text (never
 * markup), a missing scope offers "Grant access", a spent request limit says when to try again.
 */
import { describeMakeApiError, MakeApiError } from "@/lib/make/errors";
import { MakeConnectionError } from "@/lib/tokens/errors";
import { GrantAccess } from "@/components/grant-access";

const CONNECTION: Record<MakeConnectionError["reason"], string> = {
  not_connected: "No Make account is connected. Connect it from the dashboard.",
  reauth_required: "Make no longer accepts this connection. Reconnect it from the dashboard.",
  revoked: "You revoked the Make connection. Reconnect it from the dashboard.",
  make_unavailable: "Make could not be reached just now. Try again in a moment.",
  refresh_busy: "Your Make connection is being renewed. Reload in a moment.",
};

export function MakeApiProblem({
  error,
  returnTo,
  grant,
}: {
  error: unknown;
  returnTo: string;
  grant: (formData: FormData) => Promise<void>;
}) {
  if (error instanceof MakeApiError && error.kind === "forbidden" && error.missingScope) {
    return <GrantAccess scopes={[error.missingScope]} returnTo={returnTo} grant={grant} />;
  }
  const kind =
    error instanceof MakeApiError
      ? error.kind
      : error instanceof MakeConnectionError
        ? error.reason
        : "error";
  const text =
    error instanceof MakeApiError
      ? describeMakeApiError(error)
      : error instanceof MakeConnectionError
        ? CONNECTION[error.reason]
        : "Something went wrong while asking Make. Try again in a moment.";
  return (
    <p
      role="alert"
      data-make-error={kind}
      className="rounded-lg border border-red-200 bg-red-50 p-3 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100"
    >
      {text}
    </p>
  );
}
