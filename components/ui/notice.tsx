/**
 * A coloured box that tells the user something happened: `success` (green) for what went through, `info`
 * (blue) for what is under way or worth knowing, `warning` (amber) for what will resolve or needs an action,
 * `error` (red) for what failed. `role="status"` for news the page can wait on, `role="alert"` for what
 * stopped the user; data-* attributes go to the element. Every alert-like box in the app is one of these.
 */
import type { HTMLAttributes } from "react";

const tones = {
  success:
    "border-emerald-200 bg-emerald-50 text-emerald-950 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-100",
  info: "border-sky-200 bg-sky-50 text-sky-950 dark:border-sky-800 dark:bg-sky-950 dark:text-sky-100",
  warning:
    "border-amber-300 bg-amber-50 text-amber-950 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100",
  error: "border-red-200 bg-red-50 text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100",
} as const;

export type NoticeTone = keyof typeof tones;

const sizes = {
  sm: "rounded-lg p-3 text-sm",
  lg: "rounded-xl p-5",
} as const;

export function Notice({
  as: Element = "p",
  tone,
  size = "sm",
  className = "",
  ...props
}: HTMLAttributes<HTMLElement> & {
  as?: "p" | "div" | "section";
  tone: NoticeTone;
  size?: keyof typeof sizes;
  role: "status" | "alert";
}) {
  return <Element className={`border ${sizes[size]} ${tones[tone]} ${className}`} {...props} />;
}
