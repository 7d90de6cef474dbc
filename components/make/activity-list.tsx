import { formatDate } from "@/components/format";
import { Card } from "@/components/ui/card";

const KIND_LABELS: Record<string, string> = {
  connected: "Signed in with Make",
  reconnected: "Reconnected",
  refreshed: "Access renewed",
  refresh_answer_rejected: "Renewed; part of Make's answer failed a check",
  refresh_failed: "Renewal failed",
  reauth_required: "Make asked to reconnect",
  revoked: "Connection revoked",
  revocation_confirmed: "Make confirmed a revocation",
  revocation_failed: "Revocation not yet confirmed",
  kept_alive: "Renewed while you were away",
  lapsed: "Lapsed after a long time unused",
};

interface ActivityEntry {
  id: string;
  kind: string;
  outcome: string;
  errorCode: string | null;
  createdAt: Date;
}

/** The latest events of the Make connection; outcomes and error codes only. */
export function ActivityList({ events }: { events: ActivityEntry[] }) {
  return (
    <Card>
      <h2 className="text-lg font-semibold">Recent activity</h2>
      {events.length === 0 ? (
        <p className="mt-2 text-sm text-slate-600 dark:text-slate-300">Nothing yet.</p>
      ) : (
        <ol className="mt-3 space-y-2 text-sm" data-activity>
          {events.map((event) => (
            <li key={event.id} data-event={event.kind} className="flex flex-wrap justify-between gap-x-4">
              <span>
                {KIND_LABELS[event.kind] ?? event.kind}
                {event.outcome === "pending" && " (Make not reached yet)"}
                {event.errorCode && (
                  <span className="text-slate-500 dark:text-slate-400"> · {event.errorCode}</span>
                )}
              </span>
              <time className="text-slate-500 dark:text-slate-400" dateTime={event.createdAt.toISOString()}>
                {formatDate(event.createdAt)}
              </time>
            </li>
          ))}
        </ol>
      )}
    </Card>
  );
}
