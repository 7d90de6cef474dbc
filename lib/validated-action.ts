/**
 * Server actions read their form through a zod schema, here and only here: bad input answers `{ error }`
 * (the first problem's message) and the action itself never runs. In the manner of saas-starter's
 * `validatedAction`; an action names its fields in its schema instead of picking them out of FormData.
 */
import "server-only";
import type { z } from "zod";

export interface ActionError {
  error: string;
}

type Parsed<Output> = { ok: true; data: Output } | ({ ok: false } & ActionError);

/** The form as an object. A field posted twice becomes an array, so a schema that wants one string refuses it. */
function formFields(formData: FormData): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const name of new Set(formData.keys())) {
    const values = formData.getAll(name);
    fields[name] = values.length === 1 ? values[0] : values;
  }
  return fields;
}

export function parseForm<Schema extends z.ZodType>(
  schema: Schema,
  formData: FormData,
): Parsed<z.output<Schema>> {
  const parsed = schema.safeParse(formFields(formData));
  if (parsed.success) return { ok: true, data: parsed.data };
  return { ok: false, error: parsed.error.issues[0]?.message ?? "The form could not be read." };
}

/** An action for `useActionState`: the handler's state, or `{ error }` when the form does not fit. */
export function validatedAction<Schema extends z.ZodType, State>(
  schema: Schema,
  handler: (input: z.output<Schema>) => Promise<State>,
) {
  return async (_state: unknown, formData: FormData): Promise<State | ActionError> => {
    const parsed = parseForm(schema, formData);
    return parsed.ok ? handler(parsed.data) : { error: parsed.error };
  };
}

/**
 * An action for a plain `<form action>`, which has no state to show an error in: a form that does not fit
 * goes to `invalid` (a redirect to a page that says so), and the handler never runs.
 */
export function validatedFormAction<Schema extends z.ZodType>(
  schema: Schema,
  handler: (input: z.output<Schema>) => Promise<void>,
  invalid: (problem: ActionError) => Promise<void> | void,
) {
  return async (formData: FormData): Promise<void> => {
    const parsed = parseForm(schema, formData);
    if (parsed.ok) return handler(parsed.data);
    return invalid({ error: parsed.error });
  };
}
