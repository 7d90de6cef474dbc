import type { ConnectionStatus } from "@/lib/make";
import { formatDate, formatRelative } from "@/components/format";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { Notice } from "@/components/ui/notice";

const STATE_LABELS: Record<
  ConnectionStatus["state"],
  { label: string; tone: BadgeTone; explanation: string }
> = {
  active: {
    label: "Active",
    tone: "success",
    explanation: "The connection to Make is healthy.",
  },
  reauth_required: {
    label: "Reconnect needed",
    tone: "warning",
    explanation:
      "Make no longer accepts this connection. Reconnect to continue; you are still signed in here.",
  },
  revoked: {
    label: "Revoked",
    tone: "neutral",
    explanation: "You revoked this connection.",
  },
  lapsed: {
    label: "Lapsed",
    tone: "neutral",
    explanation:
      "Nobody used this connection for a long time, so this app stopped keeping it alive and gave its access back to Make. Connect again to continue.",
  },
  not_connected: {
    label: "Not connected",
    tone: "neutral",
    explanation: "No Make account is connected.",
  },
};

/** Why Make no longer accepts the connection, by the code the connection recorded. */
const REAUTH_REASONS: Record<string, string> = {
  invalid_grant: "Make refused to renew it: the access was revoked at Make, or it went unused for too long.",
  invalid_grant_after_timeout:
    "A renewal got no answer from Make in time, and Make had most likely renewed it then; the refresh token held here was already used.",
  access_token_refused: "Make refused the access even after renewing it: it was most likely revoked at Make.",
  access_token_rejected: "Make refused the access and this connection has no way to renew it.",
  access_token_expired: "The access expired and this connection has no way to renew it.",
  token_unreadable: "The stored access could not be read under this server's encryption keys.",
};

/** One label and value of the panel: two cells of the panel's grid, no wrapper element. */
function Row({ label, children, name }: { label: string; children: React.ReactNode; name: string }) {
  return (
    <>
      <dt className="border-t border-slate-100 py-2 pr-4 text-slate-500 dark:border-slate-800 dark:text-slate-400">
        {label}
      </dt>
      <dd
        data-status={name}
        className="border-t border-slate-100 py-2 text-right font-medium wrap-anywhere dark:border-slate-800"
      >
        {children}
      </dd>
    </>
  );
}

/**
 * The health of the Make connection. Shows whether tokens are held, never their values. `grantedScopes`:
 * what Make reports this token has (current-authorization); null when Make could not say.
 */
export function ConnectionPanel({
  status,
  grantedScopes,
}: {
  status: ConnectionStatus;
  grantedScopes?: string[] | null;
}) {
  const state = STATE_LABELS[status.state];
  const retrying = status.state === "active" && status.lastError;
  return (
    <Card data-connection-state={status.state}>
      <div className="flex items-center justify-between gap-4">
        <h2 className="text-lg font-semibold">Make connection</h2>
        <Badge tone={state.tone} size="md">
          {state.label}
        </Badge>
      </div>
      <p className="mt-2 text-sm text-slate-600 dark:text-slate-300">{state.explanation}</p>
      {status.state === "reauth_required" && status.lastError && (
        <p
          role="status"
          data-status="reauth-reason"
          className="mt-2 text-sm text-amber-900 dark:text-amber-100"
        >
          Why: {REAUTH_REASONS[status.lastError] ?? "Make no longer accepts it"} ({status.lastError}
          {status.lastErrorAt ? `, ${formatRelative(status.lastErrorAt)}` : ""}).
        </p>
      )}
      {retrying && (
        <Notice tone="warning" role="status" data-status="retry" className="mt-3">
          The last renewal failed ({status.lastError}, {formatRelative(status.lastErrorAt)}). The current
          access stays valid until it expires; the next attempt is{" "}
          {status.nextRetryAt ? formatRelative(status.nextRetryAt) : "on the next request"}.
        </Notice>
      )}
      {status.state === "active" && status.clientType === "public" && !status.hasRefreshToken && (
        <Notice tone="info" role="status" data-status="public-client" className="mt-3">
          This app is a public client (no client secret), so Make gives it no refresh token: the connection
          lasts as long as one access token, 5 minutes at Make, and then you reconnect.
        </Notice>
      )}
      {status.keyUnavailable && (
        <Notice tone="warning" role="status" data-status="key-unavailable" className="mt-3">
          This server cannot read your Make connection right now (it is sealed under an encryption key this
          deployment does not hold, usually during a rollout). Nothing was changed; try again in a moment.
        </Notice>
      )}
      {status.pendingRevocations > 0 && (
        <Notice tone="warning" role="status" data-status="revocation-pending" className="mt-3">
          Your tokens are deleted here, but Make has not confirmed the revocation yet. It is retried
          automatically.
        </Notice>
      )}
      <dl className="mt-4 grid grid-cols-[fit-content(45%)_1fr] text-sm">
        <Row label="Granted scopes" name="scopes">
          {grantedScopes === null
            ? "unknown (Make did not answer)"
            : (grantedScopes ?? status.scopes).join(" ") || "none"}
        </Row>
        <Row label="Access token expires" name="expires">
          {status.accessTokenExpiresAt
            ? `${formatDate(status.accessTokenExpiresAt)} (${formatRelative(status.accessTokenExpiresAt)})`
            : "no access token held"}
        </Row>
        <Row label="Last refreshed" name="last-refreshed">
          {formatDate(status.lastRefreshedAt)}
        </Row>
        <Row label="Refresh token held" name="refresh-token">
          {status.hasRefreshToken ? "yes" : "no"}
        </Row>
        <Row label="Client type" name="client-type">
          {status.clientType ?? "unknown"}
        </Row>
        <Row label="Issuer" name="issuer">
          {status.issuer ?? "unknown"}
        </Row>
        <Row label="Connected" name="connected">
          {formatDate(status.connectedAt)}
        </Row>
      </dl>
    </Card>
  );
}
