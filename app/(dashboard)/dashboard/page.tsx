import { after } from "next/server";
import { requireUser } from "@/lib/auth";
import { deliverPendingRevocations } from "@/lib/make";
import { ActionButton } from "@/components/action-button";
import { ActivityList } from "@/components/make/activity-list";
import { ConnectionPanel } from "@/components/make/connection-panel";
import { IdentityCard } from "@/components/make/identity-card";
import { loadDashboard } from "./data";
import { reconnect, revokeConnection, signOutEverywhere, signOutHere } from "./actions";

export const metadata = { title: "Dashboard" };

export default async function DashboardPage() {
  const user = await requireUser();
  const { identity, status, grantedScopes, events } = await loadDashboard(user.id);
  if (status.pendingRevocations > 0) after(() => deliverPendingRevocations({ userId: user.id }));

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center justify-between gap-4">
        <h1 className="text-2xl font-bold">Your Make connection</h1>
        <div className="flex flex-wrap gap-2">
          {(status.state !== "active" || status.keyUnavailable) && (
            <ActionButton action={reconnect} tone="primary">
              {status.state === "not_connected" || status.state === "lapsed" ? "Connect Make" : "Reconnect"}
            </ActionButton>
          )}
          {status.state === "active" && !status.keyUnavailable && (
            <ActionButton action={revokeConnection} tone="danger">
              Revoke
            </ActionButton>
          )}
          <ActionButton action={signOutHere}>Sign out</ActionButton>
          <ActionButton action={signOutEverywhere}>Sign out everywhere</ActionButton>
        </div>
      </div>
      <div className="grid gap-6 md:grid-cols-2">
        <IdentityCard identity={identity} fallbackSub={status.sub} />
        <ConnectionPanel status={status} grantedScopes={status.state === "active" ? grantedScopes : []} />
      </div>
      <ActivityList events={events} />
    </div>
  );
}
