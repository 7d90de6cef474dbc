"use client";
/**
 * The dashboard's navigation: one link per page of the signed-in area, the current one marked with
 * aria-current (a client component because only the browser knows which page is open after a client-side
 * navigation). A new page under /dashboard adds its row to NAV_LINKS. No prefetch: every page here is
 * rendered per user, so prefetching would render the other pages on each view.
 */
import Link from "next/link";
import { usePathname } from "next/navigation";

const NAV_LINKS = [
  { href: "/dashboard", label: "Dashboard" },
  { href: "/dashboard/scenarios", label: "Scenarios" },
  { href: "/dashboard/account", label: "Account" },
] as const;

export function NavLinks() {
  const pathname = usePathname();
  return (
    <ul className="flex flex-wrap gap-1 text-sm">
      {NAV_LINKS.map(({ href, label }) => {
        const current = pathname === href;
        return (
          <li key={href}>
            <Link
              href={href}
              prefetch={false}
              aria-current={current ? "page" : undefined}
              className={
                "rounded-md px-3 py-1.5 font-medium " +
                (current
                  ? "bg-slate-100 text-slate-900 dark:bg-slate-800 dark:text-white"
                  : "text-slate-600 hover:bg-slate-100 hover:text-slate-900 dark:text-slate-300 dark:hover:bg-slate-800 dark:hover:text-white")
              }
            >
              {label}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}
