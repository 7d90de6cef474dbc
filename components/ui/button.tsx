/**
 * The app's buttons: `primary` for the one thing a screen asks for, `danger` for what cannot be undone,
 * `neutral` for the rest. `Button` is a plain <button> (a submit button unless told otherwise), so it
 * works inside a server-action form before JavaScript loads.
 */
import type { ButtonHTMLAttributes } from "react";

const tones = {
  primary:
    "bg-make text-white hover:bg-make-dark dark:hover:bg-make-light dark:hover:text-slate-950 " +
    "focus-visible:outline-make dark:focus-visible:outline-make-light",
  danger:
    "bg-white text-red-700 ring-1 ring-inset ring-red-300 hover:bg-red-50 focus-visible:outline-red-600 " +
    "dark:bg-slate-900 dark:text-red-300 dark:ring-red-800 dark:hover:bg-red-950",
  neutral:
    "bg-white text-slate-700 ring-1 ring-inset ring-slate-300 hover:bg-slate-50 focus-visible:outline-slate-500 " +
    "dark:bg-slate-900 dark:text-slate-200 dark:ring-slate-700 dark:hover:bg-slate-800",
} as const;

const sizes = {
  md: "px-4 py-2 text-sm",
  lg: "px-5 py-2.5",
} as const;

export type ButtonTone = keyof typeof tones;

export function Button({
  tone = "neutral",
  size = "md",
  type = "submit",
  className = "",
  ...props
}: ButtonHTMLAttributes<HTMLButtonElement> & { tone?: ButtonTone; size?: keyof typeof sizes }) {
  return (
    <button
      type={type}
      className={
        "inline-flex items-center gap-2 rounded-lg font-medium shadow-sm focus-visible:outline-2 " +
        `focus-visible:outline-offset-2 ${sizes[size]} ${tones[tone]} ${className}`
      }
      {...props}
    />
  );
}
