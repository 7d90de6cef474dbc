import type { ReactNode } from "react";
import Link from "next/link";
import { site } from "@/lib/site";
import { NavLinks } from "./nav-links";

/** The signed-in area's shell: the app's name, the navigation between its pages, and the page itself. */
export default function DashboardShell({ children }: { children: ReactNode }) {
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
        <div className="mx-auto flex max-w-4xl flex-wrap items-center justify-between gap-x-6 gap-y-2 px-6 py-3">
          <Link href="/dashboard" prefetch={false} className="font-semibold text-make dark:text-make-light">
            {site.name}
          </Link>
          <nav aria-label="Main">
            <NavLinks />
          </nav>
        </div>
      </header>
      <main className="mx-auto max-w-4xl px-6 py-8">{children}</main>
    </div>
  );
}
