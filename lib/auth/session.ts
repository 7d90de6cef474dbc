/**
 * The signed-in user, read once per request (React `cache`), and the guard pages and actions use.
 * @see https://authjs.dev/getting-started/session-management/get-session
 */
import "server-only";
import { cache } from "react";
import { redirect } from "next/navigation";
import { auth } from "@/auth";

export const currentUser = cache(async () => (await auth())?.user ?? null);

export async function requireUser(callbackUrl = "/dashboard") {
  const user = await currentUser();
  if (!user?.id) redirect(`/?callbackUrl=${encodeURIComponent(callbackUrl)}`);
  return { ...user, id: user.id };
}
