/**
 * The state of one "Run now" as JSON, for the result panel that follows a running execution without a
 * reload (components/make/run-progress.tsx). Make is asked only while the execution runs, and at most every few
 * seconds however often this is polled (./run-status.ts).
 */
import { NextResponse } from "next/server";
import { currentUser } from "@/lib/auth";
import { loadRunView } from "../../run-status";

export async function GET(_request: Request, { params }: { params: Promise<{ requestKey: string }> }) {
  const user = await currentUser();
  if (!user) return NextResponse.json({ error: "not signed in" }, { status: 401 });
  const { requestKey } = await params;
  const run = await loadRunView(user.id, requestKey);
  if (!run) return NextResponse.json({ error: "no such run" }, { status: 404 });
  return NextResponse.json(run, { headers: { "cache-control": "no-store" } });
}
