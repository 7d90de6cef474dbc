import type { ReactNode } from "react";
import { Button, type ButtonTone } from "@/components/ui/button";

/** A button that posts a server action: a real form, so it works before JavaScript loads. */
export function ActionButton({
  action,
  children,
  tone = "neutral",
}: {
  action: () => Promise<void>;
  children: ReactNode;
  tone?: ButtonTone;
}) {
  return (
    <form action={action}>
      <Button tone={tone}>{children}</Button>
    </form>
  );
}
