/**
 * Encryption at rest is by model: exactly the Make token columns of Account and the queued revocation's
 * token, as schema.prisma marks them `/// @encrypted` and lib/db/encrypted-columns.ts lists them.
 */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it, vi } from "vitest";

let ENCRYPTED_COLUMNS: typeof import("@/lib/db/encrypted-columns").ENCRYPTED_COLUMNS;
let RELATIONS_TO_ENCRYPTED: typeof import("@/lib/db/encrypted-columns").RELATIONS_TO_ENCRYPTED;
beforeAll(async () => {
  vi.stubEnv("SKIP_ENV_VALIDATION", "1");
  ({ ENCRYPTED_COLUMNS, RELATIONS_TO_ENCRYPTED } = await import("@/lib/db/encrypted-columns"));
  vi.unstubAllEnvs();
});

const schema = readFileSync(new URL("../../prisma/schema.prisma", import.meta.url), "utf8");

/** Each model's fields as schema.prisma declares them: name, type, and whether `/// @encrypted` precedes it. */
function models() {
  const found = new Map<string, Array<{ name: string; type: string; encrypted: boolean }>>();
  for (const match of schema.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)) {
    const fields: Array<{ name: string; type: string; encrypted: boolean }> = [];
    let marked = false;
    for (const line of match[2]!.split("\n").map((text) => text.trim())) {
      if (line === "/// @encrypted") marked = true;
      const field = /^(\w+)\s+(\w+)(\[\])?\??/.exec(line);
      if (field && !line.startsWith("@@")) {
        fields.push({ name: field[1]!, type: field[2]!, encrypted: marked });
        marked = false;
      }
    }
    found.set(match[1]!, fields);
  }
  return found;
}

describe("encrypted columns", () => {
  it("are the Make tokens of Account and the queued revocation's token, and nothing else", () => {
    expect(ENCRYPTED_COLUMNS).toEqual({
      Account: ["access_token", "refresh_token", "id_token"],
      PendingRevocation: ["token"],
    });
  });

  it("are exactly the fields schema.prisma marks /// @encrypted, each a String", () => {
    const marked: Record<string, string[]> = {};
    for (const [model, fields] of models()) {
      for (const field of fields.filter((candidate) => candidate.encrypted)) {
        expect(field.type, `${model}.${field.name}`).toBe("String");
        (marked[model] ??= []).push(field.name);
      }
    }
    const listed = Object.fromEntries(
      Object.entries(ENCRYPTED_COLUMNS).map(([model, columns]) => [model, [...columns].sort()]),
    );
    expect(
      Object.fromEntries(Object.entries(marked).map(([model, columns]) => [model, columns.sort()])),
    ).toEqual(listed);
  });

  it("follow every relation that leads straight to a model with encrypted columns (nested writes)", () => {
    const expected: Record<string, Record<string, string>> = {};
    for (const [model, fields] of models()) {
      for (const field of fields) {
        if (field.type in ENCRYPTED_COLUMNS && field.type !== model)
          (expected[model] ??= {})[field.name] = field.type;
      }
    }
    expect(RELATIONS_TO_ENCRYPTED).toEqual(expected);
  });
});
