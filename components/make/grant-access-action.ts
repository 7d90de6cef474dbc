"use server";
/**
 * "Grant access": the configured scopes plus the missing ones, back to the page that needed them. The way
 * back names what was asked (`?asked=`), so a page that still lacks it says so instead of asking again.
 */
import { redirect } from "next/navigation";
import { z } from "zod";
import { connectMake, requireUser } from "@/lib/auth";
import { safeRedirectPath } from "@/lib/safe-redirect";
import { parseScopes } from "@/lib/scopes";
import { validatedFormAction } from "@/lib/validated-action";

const grantRequest = z.object({
  returnTo: z.string().refine((path) => safeRedirectPath(path, "") === path, "Not a page of this app."),
  scope: z.string().transform(parseScopes),
});

export const grantAccess = validatedFormAction(
  grantRequest,
  async ({ returnTo, scope: missingScopes }) => {
    await requireUser(returnTo);
    const back = new URL(returnTo, "http://path.invalid");
    back.searchParams.set("asked", missingScopes.join(" "));
    await connectMake({ returnTo: `${back.pathname}${back.search}`, missingScopes });
  },
  // Only a form changed on its way here does not fit: nothing is asked of Make.
  () => redirect("/dashboard"),
);
