"use server";
/**
 * The dashboard's state-changing actions. Server actions are POST-only and Next.js rejects them when the
 * Origin header does not match the host, which is the cross-site request protection here.
 * @see https://nextjs.org/docs/app/guides/data-security#built-in-server-actions-security-features
 */
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { signIn, signOut } from "@/auth";
import { db } from "@/lib/db";
import { currentSessionKey, requireUser } from "@/lib/auth/session";
import { signInDestination } from "@/lib/auth/sign-in-errors";
import { revokeMakeConnection } from "@/lib/tokens/revoke";
import { MAKE_PROVIDER_ID } from "@/lib/make/provider-id";

export async function revokeConnection() {
  const user = await requireUser();
  await revokeMakeConnection(user.id);
  revalidatePath("/dashboard");
}

export async function reconnect() {
  await requireUser();
  redirect(
    await signInDestination(() => signIn(MAKE_PROVIDER_ID, { redirectTo: "/dashboard", redirect: false })),
  );
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
