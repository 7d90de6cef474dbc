/**
 * The words both error pages show when a page fails on the server: plain words, never the error itself, and
 * the digest Next prints beside the error in the server log, so a report can be matched to it.
 */
import type { ReactNode } from "react";
import { Card } from "@/components/ui/card";

export function UnavailableNotice({ digest, children }: { digest?: string; children: ReactNode }) {
  return (
    <Card as="div" tone="warning" role="alert" data-app-error="unavailable" className="space-y-3">
      <h1 className="text-2xl font-semibold text-amber-800 dark:text-amber-200">
        This page is temporarily unavailable
      </h1>
      <p className="text-slate-700 dark:text-slate-300">{children}</p>
      {digest && <p className="text-sm text-slate-500 dark:text-slate-400">Reference: {digest}</p>}
    </Card>
  );
}
