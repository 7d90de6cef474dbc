import type { ReactNode } from "react";

const tones = {
  primary: "bg-make text-white hover:bg-make-dark dark:hover:bg-make-light dark:hover:text-slate-950",
  danger:
    "bg-white text-red-700 ring-1 ring-inset ring-red-300 hover:bg-red-50 " +
    "dark:bg-slate-900 dark:text-red-300 dark:ring-red-800 dark:hover:bg-red-950",
  neutral:
    "bg-white text-slate-700 ring-1 ring-inset ring-slate-300 hover:bg-slate-50 " +
    "dark:bg-slate-900 dark:text-slate-200 dark:ring-slate-700 dark:hover:bg-slate-800",
} as const;

/** A button that posts a server action: a real form, so it works before JavaScript loads. */
export function ActionButton({
  action,
  children,
  tone = "neutral",
}: {
  action: () => Promise<void>;
  children: ReactNode;
  tone?: keyof typeof tones;
}) {
  return (
    <form action={action}>
      <button type="submit" className={`rounded-lg px-4 py-2 text-sm font-medium shadow-sm ${tones[tone]}`}>
        {children}
      </button>
    </form>
  );
}
