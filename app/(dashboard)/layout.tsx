import type { ReactNode } from "react";
import { site } from "@/lib/site";

export default function DashboardShell({ children }: { children: ReactNode }) {
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
        <div className="mx-auto flex max-w-4xl items-center justify-between px-6 py-4">
          {/* A plain link: next/link would add server-rendering work to every dashboard view (bench/README.md). */}
          <a href="/dashboard" className="font-semibold text-make dark:text-make-light">
            {site.name}
          </a>
        </div>
      </header>
      <main className="mx-auto max-w-4xl px-6 py-8">{children}</main>
    </div>
  );
}
