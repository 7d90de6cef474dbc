/**
 * The white (or, in the dark scheme, slate) box every page is built from. `tone` colours the border of a
 * card that is itself a warning or an error; any other attribute (role, data-*) goes to the element.
 */
import type { HTMLAttributes } from "react";

const tones = {
  neutral: "border-slate-200 dark:border-slate-800",
  warning: "border-amber-200 dark:border-amber-900",
  error: "border-red-200 dark:border-red-900",
} as const;

export function Card({
  as: Element = "section",
  tone = "neutral",
  className = "",
  ...props
}: HTMLAttributes<HTMLElement> & {
  as?: "section" | "div" | "p" | "li";
  tone?: keyof typeof tones;
}) {
  return (
    <Element
      className={`rounded-xl border bg-white p-6 shadow-sm dark:bg-slate-900 ${tones[tone]} ${className}`}
      {...props}
    />
  );
}
