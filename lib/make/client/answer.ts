/**
 * Checks an answer from Make against the zod schema of what the app reads from it. A mismatch is a
 * MakeApiError of kind `unexpected_answer`, worded like any other Make problem, never a crash.
 */
import "server-only";
import { z } from "zod";
import { MakeApiError } from "@/lib/make/connection/errors";

/** Make's answer to `what` (such as "GET /users/me"), as `schema` reads it. */
export function parseMakeAnswer<S extends z.ZodType>(schema: S, what: string, body: unknown): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const message = `Unexpected answer to ${what}: ${z.prettifyError(result.error).replace(/\s+/g, " ")}`;
  throw new MakeApiError(null, { message }, { unexpectedAnswer: what });
}
