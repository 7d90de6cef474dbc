import { Fragment } from "react";
import { describeMakeProblem, type MakeIdentity, type OrganizationReach } from "@/lib/make";
import { Card } from "@/components/ui/card";
import { Notice } from "@/components/ui/notice";

const REACH_WORDS: Record<Exclude<OrganizationReach["reach"], "reachable">, string> = {
  forbidden: "this connection cannot reach it (the access you granted does not include it, or your role)",
  zone_refused: "its zone does not accept this connection",
  unknown: "not checked just now",
  zone_unknown: "Make did not say which zone it lives in, so it cannot be asked from here",
};

const UNAVAILABLE: Record<Exclude<MakeIdentity, { ok: true }>["reason"], string> = {
  not_connected: "No Make account is connected.",
  reauth_required: "Make needs you to reconnect before your profile can be shown.",
  revoked: "You revoked the Make connection. Reconnect to see your Make profile.",
  lapsed: "Your Make connection lapsed while you were away. Connect it again to see your Make profile.",
  make_unavailable: "Make could not be reached just now. The connection will be renewed automatically.",
  refresh_busy: "Your Make connection is being renewed. Reload in a moment.",
  key_unavailable: "This server cannot read your Make connection right now. Try again in a moment.",
  make_error: "Make did not answer the profile request. Try again in a moment.",
};

const text = (value: unknown) =>
  typeof value === "string" || typeof value === "number" ? String(value) : undefined;
const safeImage = (value: unknown) => {
  const url = text(value);
  return url && /^https?:\/\//i.test(url) ? url : undefined;
};

/**
 * The Make identity: `sub`, and the profile from `GET /users/me` (and userinfo) when Make gave it; why not
 * when it did not. Claims are untrusted: React renders them as text.
 */
export function IdentityCard({
  identity,
  fallbackSub,
}: {
  identity: MakeIdentity;
  fallbackSub: string | null;
}) {
  if (!identity.ok) {
    return (
      <Card>
        <h2 className="text-lg font-semibold">Make identity</h2>
        {fallbackSub && (
          <p className="mt-2 text-sm text-slate-600 dark:text-slate-300">
            Make user{" "}
            <span data-claim="sub" className="font-mono">
              {fallbackSub}
            </span>
          </p>
        )}
        <p className="mt-2 text-slate-600 dark:text-slate-300" data-identity-unavailable={identity.reason}>
          {UNAVAILABLE[identity.reason]}
        </p>
      </Card>
    );
  }
  const { claims } = identity;
  const picture = safeImage(claims.picture);
  const rows = ["sub", "name", "email"].filter((claim) => text(claims[claim]) !== undefined);
  return (
    <Card>
      <div className="flex items-start gap-4">
        {picture && (
          // eslint-disable-next-line @next/next/no-img-element -- an external avatar of unknown size
          <img
            src={picture}
            alt=""
            referrerPolicy="no-referrer"
            className="h-14 w-14 shrink-0 rounded-full border border-slate-200 dark:border-slate-700"
          />
        )}
        <div className="min-w-0">
          <h2 className="text-lg font-semibold break-words">{text(claims.name) ?? "Make user"}</h2>
          <dl className="mt-3 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
            {rows.map((claim) => (
              <Fragment key={claim}>
                <dt className="text-slate-500 dark:text-slate-400">{claim}</dt>
                <dd data-claim={claim} className="min-w-0 font-mono break-all">
                  {text(claims[claim])}
                </dd>
              </Fragment>
            ))}
          </dl>
        </div>
      </div>
      {identity.profileProblem && (
        <Notice tone="warning" role="status" data-profile-unavailable className="mt-3">
          {identity.profileProblem} You are signed in all the same.
        </Notice>
      )}
      {identity.organizations.length > 0 && (
        <div className="mt-4 border-t border-slate-100 pt-4 text-sm dark:border-slate-800">
          <h3 className="font-medium text-slate-700 dark:text-slate-200">Organizations</h3>
          <ul className="mt-1 space-y-1 text-slate-600 dark:text-slate-300">
            {identity.organizations.map((org) => {
              const reach = identity.reach?.find((entry) => entry.organization.id === org.id);
              const unreachable = reach && reach.reach !== "reachable" ? reach : undefined;
              return (
                <li key={org.id} className="break-words" data-organization-reach={reach?.reach}>
                  {org.name}{" "}
                  <span className="text-slate-500 dark:text-slate-400" data-zone={org.zone ?? "unknown"}>
                    · {org.zone ?? "zone unknown"}
                  </span>
                  {unreachable && (
                    <span
                      data-unreachable={unreachable.reach}
                      title={
                        "error" in unreachable ? describeMakeProblem(unreachable.error).message : undefined
                      }
                      className="text-amber-800 dark:text-amber-200"
                    >
                      {" "}
                      · {REACH_WORDS[unreachable.reach]}
                    </span>
                  )}
                </li>
              );
            })}
          </ul>
        </div>
      )}
    </Card>
  );
}
