/**
 * The one door of a server action's input: a form that does not fit its schema gets the schema's own
 * message and never reaches the action, whatever was posted.
 */
import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { validatedAction, validatedFormAction } from "@/lib/validated-action";

const form = (...fields: [string, string | Blob][]) => {
  const data = new FormData();
  for (const [name, value] of fields) data.append(name, value);
  return data;
};

const schema = z.object({
  confirm: z.string({ error: "Type DELETE." }).refine((typed) => typed === "DELETE", "Type DELETE."),
  id: z.string().pipe(z.coerce.number<string>().int().positive()),
});

describe("validatedAction", () => {
  it("runs the action with the parsed input when the form fits", async () => {
    const handler = vi.fn(async (input: z.output<typeof schema>) => ({ done: input.id }));
    const action = validatedAction(schema, handler);
    expect(await action({}, form(["confirm", "DELETE"], ["id", "42"]))).toEqual({ done: 42 });
    expect(handler).toHaveBeenCalledWith({ confirm: "DELETE", id: 42 });
  });

  it.each([
    ["a wrong value", form(["confirm", "delete"], ["id", "42"]), "Type DELETE."],
    ["a missing field", form(["id", "42"]), "Type DELETE."],
    [
      "a field posted twice",
      form(["confirm", "DELETE"], ["confirm", "DELETE"], ["id", "42"]),
      "Type DELETE.",
    ],
    ["a file for a text field", form(["confirm", new Blob(["DELETE"])], ["id", "42"]), "Type DELETE."],
  ])("answers the schema's message for %s, and changes nothing", async (_, data, message) => {
    const handler = vi.fn(async () => ({}));
    expect(await validatedAction(schema, handler)({}, data)).toEqual({ error: message });
    expect(handler).not.toHaveBeenCalled();
  });

  it.each(["0", "-3", "1.5", "9007199254740993", "", "abc"])("refuses %j as a positive id", async (id) => {
    const handler = vi.fn(async () => ({}));
    const answer = await validatedAction(schema, handler)({}, form(["confirm", "DELETE"], ["id", id]));
    expect(answer).toHaveProperty("error");
    expect(handler).not.toHaveBeenCalled();
  });
});

describe("validatedFormAction", () => {
  it("sends a form that does not fit to `invalid`, with the message, and never runs the action", async () => {
    const handler = vi.fn(async () => {});
    const invalid = vi.fn();
    await validatedFormAction(schema, handler, invalid)(form(["confirm", "DELETE"], ["id", "x"]));
    expect(invalid).toHaveBeenCalledWith({ error: expect.any(String) });
    expect(handler).not.toHaveBeenCalled();
  });

  it("runs the action, and not `invalid`, when the form fits", async () => {
    const handler = vi.fn(async () => {});
    const invalid = vi.fn();
    await validatedFormAction(schema, handler, invalid)(form(["confirm", "DELETE"], ["id", "7"]));
    expect(handler).toHaveBeenCalledWith({ confirm: "DELETE", id: 7 });
    expect(invalid).not.toHaveBeenCalled();
  });
});
