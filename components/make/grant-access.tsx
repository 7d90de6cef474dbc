/**
 * Says which Make scopes a page needs that this connection was not granted, with a "Grant access" button
 * that asks Make for them (incremental consent) and comes back to the page. Put it wherever a call fails
 * for a missing scope; its server action is beside it (./grant-access-action.ts).
 */
import { Button } from "@/components/ui/button";
import { Notice } from "@/components/ui/notice";
import { grantAccess } from "./grant-access-action";

export function GrantAccess({
  scopes,
  returnTo,
  asked = [],
}: {
  scopes: string[];
  returnTo: string;
  /** Scopes a Grant access just asked Make for: still missing, asking again would not help. */
  asked?: string[];
}) {
  if (scopes.every((scope) => asked.includes(scope))) {
    return (
      <Notice as="div" tone="warning" role="alert" data-grant-refused={scopes.join(" ")} size="lg">
        <p className="font-medium">Make still did not grant {scopes.join(", ")}.</p>
        <p className="mt-1 text-sm">
          It was asked for just now and is still missing: either it was unticked on Make&apos;s consent page,
          or it is not among the scopes registered for this app with Make (the registration fixes them). The
          app&apos;s administrator can add it to the registration; asking again from here would not help.
        </p>
      </Notice>
    );
  }
  return (
    <Notice as="div" tone="warning" role="alert" data-missing-scopes={scopes.join(" ")} size="lg">
      <p className="font-medium">This page needs access you did not grant to this app.</p>
      <p className="mt-1 text-sm">
        Missing {scopes.length === 1 ? "scope" : "scopes"}:{" "}
        {scopes.map((scope) => (
          <code key={scope} className="mr-1 rounded bg-amber-100 px-1.5 py-0.5 font-mono dark:bg-amber-900">
            {scope}
          </code>
        ))}
      </p>
      <form action={grantAccess} className="mt-4">
        <input type="hidden" name="scope" value={scopes.join(" ")} />
        <input type="hidden" name="returnTo" value={returnTo} />
        <Button tone="primary">Grant access</Button>
      </form>
    </Notice>
  );
}
