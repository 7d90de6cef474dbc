/**
 * A coloured box inside a card that tells the user something happened: `warning` (amber) for what will
 * resolve or needs an action, `error` (red) for what failed. Pass `role="status"` for news the page can wait
 * on, `role="alert"` for what stopped the user; data-* attributes go to the element.
 */
import type { HTMLAttributes } from "react";

const tones = {
  warning:
    "border-amber-300 bg-amber-50 text-amber-950 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100",
  error: "border-red-200 bg-red-50 text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100",
} as const;

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
  as?: "p" | "div";
  tone: keyof typeof tones;
  size?: keyof typeof sizes;
  role: "status" | "alert";
}) {
  return <Element className={`border ${sizes[size]} ${tones[tone]} ${className}`} {...props} />;
}
