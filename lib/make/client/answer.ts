/**
 * Checks an answer from Make against the zod schema of what the app reads from it, for the starter's calls
 * and a product's own. A mismatch is a MakeApiError of kind `unexpected_answer`, never a crash. A call's
 * schema lives beside the call (calls.ts); edit this only to change how a mismatch is reported.
 */
import "server-only";
import { z } from "zod";
import type { ListPage } from "@/lib/make/client/pagination";
import { MakeApiError } from "@/lib/make/connection/errors";

/** Make's answer to `what` (such as "GET /users/me"), as `schema` reads it. */
export function parseMakeAnswer<S extends z.ZodType>(schema: S, what: string, body: unknown): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const message = `Unexpected answer to ${what}: ${z.prettifyError(result.error).replace(/\s+/g, " ")}`;
  throw new MakeApiError(null, { message }, { unexpectedAnswer: what });
}

const pgSchema = z
  .looseObject({
    limit: z.number().optional(),
    sortBy: z.string().optional(),
    sortDir: z.string().optional(),
  })
  .optional()
  .catch(undefined);

/** One page of a Make list: `key` holds the items, `pg` echoes what Make applied. */
export async function listPage<S extends z.ZodType>(
  load: () => Promise<unknown>,
  key: string,
  item: S,
  what: string,
): Promise<ListPage<z.output<S>>> {
  const schema = z.looseObject({ [key]: z.array(item), pg: pgSchema });
  const body = parseMakeAnswer(schema, what, await load()) as Record<string, unknown>;
  return { items: body[key] as z.output<S>[], pg: body.pg as ListPage<unknown>["pg"] };
}
