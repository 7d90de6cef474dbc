/**
 * A small rounded label for a state or a fact about a thing: a connection's state, a scenario's state, an
 * organization's zone. The tone says how good the news is.
 */
import type { HTMLAttributes } from "react";

const tones = {
  success: "bg-emerald-100 text-emerald-800 dark:bg-emerald-900 dark:text-emerald-100",
  warning: "bg-amber-100 text-amber-900 dark:bg-amber-900 dark:text-amber-100",
  danger: "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-200",
  neutral: "bg-slate-200 text-slate-700 dark:bg-slate-700 dark:text-slate-100",
  muted: "bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-200",
} as const;

const sizes = {
  sm: "px-2 py-0.5 text-xs",
  md: "px-3 py-1 text-sm",
} as const;

export type BadgeTone = keyof typeof tones;

export function Badge({
  tone = "neutral",
  size = "sm",
  className = "",
  ...props
}: HTMLAttributes<HTMLSpanElement> & { tone?: BadgeTone; size?: keyof typeof sizes }) {
  return (
    <span
      className={`shrink-0 rounded-full font-medium ${sizes[size]} ${tones[tone]} ${className}`}
      {...props}
    />
  );
}
