"use server";
/**
 * Account deletion: the user's rows go in one transaction that also queues the Make tokens for revocation
 * (lib/make/connection/forget.ts), then this browser's session cookie. Server actions are POST-only and Next.js
 * checks their Origin, so another site cannot submit this form.
 */
import { redirect } from "next/navigation";
import { z } from "zod";
import { clearSessionCookie, markAccountDeleted, requireUser } from "@/lib/auth";
import { describeMakeProblem, forgetMakeUser, MakeConnectionError } from "@/lib/make";
import { validatedAction } from "@/lib/validated-action";

export interface DeleteAccountState {
  error?: string;
}

const CONFIRMATION = "DELETE";
const NOT_CONFIRMED = `Nothing was deleted. Type ${CONFIRMATION} in capital letters to confirm.`;

const confirmation = z.object({
  confirm: z
    .string({ error: NOT_CONFIRMED })
    .trim()
    .refine((typed) => typed === CONFIRMATION, NOT_CONFIRMED),
});

export const deleteAccount = validatedAction(confirmation, async (): Promise<DeleteAccountState> => {
  const user = await requireUser("/dashboard/account");
  try {
    await forgetMakeUser(user.id, async (tx) => {
      // The user's own rows; the foreign keys would cascade, but deletion should not depend on reading them.
      await tx.session.deleteMany({ where: { userId: user.id } });
      await tx.scenarioRun.deleteMany({ where: { userId: user.id } });
      await tx.makeApiBudgetShare.deleteMany({ where: { userId: user.id } });
      await tx.account.deleteMany({ where: { userId: user.id } });
      await tx.user.delete({ where: { id: user.id } });
    });
  } catch (error) {
    // A key this server lacks (a rollout): another server, or this one in a moment, can delete.
    if (error instanceof MakeConnectionError && error.reason === "key_unavailable")
      return { error: `Nothing was deleted. ${describeMakeProblem(error).message}` };
    throw error;
  }
  await Promise.all([clearSessionCookie(), markAccountDeleted()]);
  redirect("/");
});
