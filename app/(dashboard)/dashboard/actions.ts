"use server";
/**
 * The dashboard's state-changing actions. Server actions are POST-only and Next.js rejects them when the
 * Origin header does not match the host, which is the cross-site request protection here.
 * @see https://nextjs.org/docs/app/guides/data-security#built-in-server-actions-security-features
 */
import { revalidatePath } from "next/cache";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { AuthError } from "next-auth";
import { signIn, signOut } from "@/auth";
import { SESSION_COOKIES } from "@/auth.config";
import { db } from "@/lib/db";
import { requireUser } from "@/lib/auth/session";
import { classifySignInError } from "@/lib/auth/sign-in-errors";
import { revokeMakeConnection } from "@/lib/tokens/revoke";

export async function revokeConnection() {
  const user = await requireUser();
  await revokeMakeConnection(user.id);
  revalidatePath("/dashboard");
}

export async function reconnect() {
  await requireUser();
  try {
    await signIn("make", { redirectTo: "/dashboard" });
  } catch (error) {
    if (error instanceof AuthError) redirect(`/auth/error?reason=${classifySignInError(error)}`);
    throw error;
  }
}

export async function signOutHere() {
  await signOut({ redirectTo: "/" });
}

/** Ends every session of this user, on every device; this one last, through Auth.js. */
export async function signOutEverywhere() {
  const user = await requireUser();
  const jar = await cookies();
  const current = SESSION_COOKIES.map((name) => jar.get(name)?.value).find(Boolean);
  await db.session.deleteMany({ where: { userId: user.id, ...(current ? { sessionToken: { not: current } } : {}) } });
  await signOut({ redirectTo: "/" });
}
