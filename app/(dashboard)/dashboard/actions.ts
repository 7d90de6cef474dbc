"use server";
/**
 * The dashboard's state-changing actions. Server actions are POST-only and Next.js rejects them when the
 * Origin header does not match the host, which is the cross-site request protection here.
 * @see https://nextjs.org/docs/app/guides/data-security#built-in-server-actions-security-features
 */
import { revalidatePath } from "next/cache";
import { signOut } from "@/auth";
import { db } from "@/lib/db";
import { connectMake, currentSessionKey, requireUser } from "@/lib/auth";
import { revokeMakeConnection } from "@/lib/make";

export async function revokeConnection() {
  const user = await requireUser();
  await revokeMakeConnection(user.id);
  revalidatePath("/dashboard");
}

export async function reconnect() {
  await requireUser();
  await connectMake({ returnTo: "/dashboard" });
}

export async function signOutHere() {
  await signOut({ redirectTo: "/" });
}

/** Ends every session of this user, on every device; this one last, through Auth.js. */
export async function signOutEverywhere() {
  const user = await requireUser();
  const current = await currentSessionKey();
  await db.session.deleteMany({
    where: { userId: user.id, ...(current ? { sessionToken: { not: current } } : {}) },
  });
  await signOut({ redirectTo: "/" });
}
