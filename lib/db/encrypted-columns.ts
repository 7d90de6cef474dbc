/**
 * Which columns hold ciphertext, by model, and the Prisma client extension that seals and opens them under
 * every query. Add a column here (and `/// @encrypted` in schema.prisma) only if it holds a secret the app
 * must send somewhere; the rules it keeps: lib/db/README.md, "Encrypted columns".
 */
import "server-only";
import { randomUUID } from "node:crypto";
import { Prisma } from "@/lib/generated/prisma/client";
import {
  ColumnDecryptionError,
  decryptColumn,
  encryptColumn,
  isEncrypted,
  UnknownKeyError,
} from "./token-encryption";

/** The encrypted columns of each model. */
export const ENCRYPTED_COLUMNS = {
  Account: ["access_token", "refresh_token", "id_token"],
  PendingRevocation: ["token"],
} as const satisfies Partial<Record<Prisma.ModelName, readonly string[]>>;

type EncryptedModel = keyof typeof ENCRYPTED_COLUMNS;

/**
 * The relations that lead straight to a model with encrypted columns (`user.accounts`), so nested writes
 * into it are sealed. The unit test checks it against schema.prisma; a new model of yours needs no entry.
 * A nested write that reaches an encrypted model any other way is refused (below), and a read of any
 * shape opens a sealed value wherever it appears under an encrypted column's name.
 */
export const RELATIONS_TO_ENCRYPTED: Partial<Record<Prisma.ModelName, Record<string, EncryptedModel>>> = {
  User: { accounts: "Account", revocations: "PendingRevocation" },
};

const ENCRYPTED_NAMES = new Set<string>(Object.values(ENCRYPTED_COLUMNS).flat());

/** Why a column could not be opened: `unknown_key` leaves the row alone; `unreadable` is a dead value. */
export type UnreadableReason = "unknown_key" | "unreadable";

const UNREADABLE = Symbol("unreadable columns");
const NESTED_WRITES = new Set([
  "create",
  "createMany",
  "connectOrCreate",
  "update",
  "updateMany",
  "upsert",
  "data",
  "where",
]);

/** Where sealing stands in a write: the row's id when known, and whether the data creates rows. */
interface WriteContext {
  rowId?: string;
  creating: boolean;
}

const columnsOf = (model: string | undefined): readonly string[] =>
  (model && ENCRYPTED_COLUMNS[model as EncryptedModel]) || [];
const relationsOf = (model: string | undefined): Record<string, string> =>
  (model && RELATIONS_TO_ENCRYPTED[model as Prisma.ModelName]) || {};

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" &&
  value !== null &&
  (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null);

/** A nested write (`{ create: … }` and the like) through a relation this module does not follow. */
function refuseUnsealedNestedWrite(value: unknown, path: string) {
  if (Array.isArray(value)) return value.forEach((item) => refuseUnsealedNestedWrite(item, path));
  if (!isPlainObject(value)) return;
  for (const [key, field] of Object.entries(value)) {
    if (ENCRYPTED_NAMES.has(key) && typeof field === "string" && !isEncrypted(field)) {
      throw new TypeError(
        `${path}.${key}: an encrypted column written through a nested write this module cannot follow; ` +
          "write it through its own model (db.account…) or add the relation to RELATIONS_TO_ENCRYPTED",
      );
    }
    if (NESTED_WRITES.has(key) || isPlainObject(field) || Array.isArray(field)) {
      refuseUnsealedNestedWrite(field, `${path}.${key}`);
    }
  }
}

const isSetOperation = (field: unknown): field is { set: string } =>
  typeof field === "object" && field !== null && typeof (field as { set?: unknown }).set === "string";

const whereId = (args: unknown): string | undefined => {
  const id = (args as { where?: { id?: unknown } } | undefined)?.where?.id;
  return typeof id === "string" ? id : undefined;
};

/** The id the row will have: given, or (for a create) made here, since the ciphertext is bound to it. */
function withRowId(data: Record<string, unknown>, context: WriteContext): [Record<string, unknown>, string?] {
  if (typeof data.id === "string") return [data, data.id];
  if (!context.creating) return [data, context.rowId];
  const id = context.rowId ?? randomUUID();
  return [{ id, ...data }, id];
}

function seal(value: string, column: string, rowId: string | undefined): string {
  if (rowId === undefined) {
    throw new TypeError(
      `${column}: an encrypted column is bound to its row's id; write it in a create or with where: { id }`,
    );
  }
  return encryptColumn(value, column, rowId);
}

/** Seals the encrypted columns of `model` in write data, following nested writes into related models. */
function sealData(value: unknown, model: string | undefined, context: WriteContext): unknown {
  if (Array.isArray(value)) return value.map((item) => sealData(item, model, context));
  if (value === null || typeof value !== "object" || value instanceof Date) return value;
  const columns = columnsOf(model);
  const relations = relationsOf(model);
  const touchesColumns = Object.keys(value).some((key) => columns.includes(key));
  const [data, rowId] = touchesColumns
    ? withRowId(value as Record<string, unknown>, context)
    : [value as Record<string, unknown>, context.rowId];
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(data)) {
    if (columns.includes(key) && typeof field === "string") out[key] = seal(field, key, rowId);
    else if (columns.includes(key) && isSetOperation(field)) out[key] = { set: seal(field.set, key, rowId) };
    else if (key in relations) out[key] = sealNested(field, relations[key]!);
    else {
      if (isPlainObject(field) && Object.keys(field).some((name) => NESTED_WRITES.has(name))) {
        refuseUnsealedNestedWrite(field, key);
      }
      out[key] = field;
    }
  }
  return out;
}

const CREATING = new Set(["create", "createMany", "connectOrCreate"]);

/** `{ create: …, update: { where, data } }` and the like: the operation keys wrap data of `model`. */
function sealNested(value: unknown, model: string, context: WriteContext = { creating: true }): unknown {
  if (Array.isArray(value)) return value.map((item) => sealNested(item, model, context));
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  const rowId = whereId(value) ?? context.rowId;
  for (const [key, field] of Object.entries(value)) {
    // `where` filters compare stored ciphertext and are left alone.
    if (key === "where") out[key] = field;
    else if (NESTED_WRITES.has(key))
      out[key] = sealNested(field, model, { rowId, creating: CREATING.has(key) || context.creating });
    else return sealData(value, model, context);
  }
  return out;
}

function openRow(value: unknown, model: string | undefined): unknown {
  if (Array.isArray(value)) return value.map((item) => openRow(item, model));
  if (!isPlainObject(value)) return value;
  const columns = columnsOf(model);
  const relations = relationsOf(model);
  const out: Record<string, unknown> = {};
  const unreadable: Record<string, { stored: string; reason: UnreadableReason }> = {};
  for (const [key, field] of Object.entries(value)) {
    // In a row of an encrypted model its columns; in a row of any other shape (an include through a
    // relation this module does not follow), a sealed value under an encrypted column's name.
    const sealed =
      typeof field === "string" &&
      (model !== undefined && model in ENCRYPTED_COLUMNS
        ? columns.includes(key)
        : ENCRYPTED_NAMES.has(key) && isEncrypted(field));
    if (!sealed) {
      out[key] = key in relations ? openRow(field, relations[key]) : openRow(field, undefined);
      continue;
    }
    try {
      out[key] = decryptColumn(field as string, key, typeof value.id === "string" ? value.id : undefined);
    } catch (error) {
      if (!(error instanceof ColumnDecryptionError)) throw error;
      out[key] = null;
      const reason = error instanceof UnknownKeyError ? "unknown_key" : "unreadable";
      unreadable[key] = { stored: field as string, reason };
    }
  }
  if (Object.keys(unreadable).length) {
    Object.defineProperty(out, UNREADABLE, { value: unreadable, enumerable: false });
  }
  return out;
}

/**
 * The encrypted columns of a row read through this module that could not be opened (read as null): the
 * stored ciphertext of each and why. Empty when every column opened.
 */
export const unreadableColumns = (
  row: object | null | undefined,
): Readonly<Record<string, { stored: string; reason: UnreadableReason }>> =>
  (
    row as { [UNREADABLE]?: Record<string, { stored: string; reason: UnreadableReason }> } | null | undefined
  )?.[UNREADABLE] ?? {};

/** Opens the encrypted columns of `model` rows read without Prisma. */
export const openEncryptedColumns = <T>(rows: T, model: EncryptedModel): T => openRow(rows, model) as T;

const CREATES = new Set(["create", "createMany", "createManyAndReturn"]);

/** Writes seal with their row's id; reads of encrypted columns fetch the id as well, to open them. */
function sealArguments(model: string, operation: string, args: Record<string, unknown>) {
  const sealed = { ...args };
  const rowId = whereId(args);
  if ("data" in sealed)
    sealed.data = sealData(sealed.data, model, { rowId, creating: CREATES.has(operation) });
  if ("create" in sealed) sealed.create = sealData(sealed.create, model, { rowId, creating: true });
  if ("update" in sealed) sealed.update = sealData(sealed.update, model, { rowId, creating: false });
  return sealed;
}

/** A `select` that names an encrypted column but not `id`: the id is fetched too, and dropped after. */
function selectingId(
  model: string,
  args: Record<string, unknown>,
): { args: Record<string, unknown>; added: boolean } {
  const select = args.select as Record<string, unknown> | undefined;
  if (!isPlainObject(select) || select.id || !columnsOf(model).some((column) => select[column])) {
    return { args, added: false };
  }
  return { args: { ...args, select: { ...select, id: true } }, added: true };
}

const withoutId = (rows: unknown): unknown =>
  Array.isArray(rows)
    ? rows.map(withoutId)
    : isPlainObject(rows)
      ? Object.fromEntries(Object.entries(rows).filter(([key]) => key !== "id"))
      : rows;

export const encryptedColumns = Prisma.defineExtension({
  name: "encrypted-columns",
  query: {
    $allModels: {
      async $allOperations({ model, operation, args, query }) {
        const sealed = sealArguments(model, operation, { ...(args as Record<string, unknown>) });
        const selected = selectingId(model, sealed);
        const result = await query(selected.args as typeof args);
        const opened = openRow(result, model);
        return (selected.added ? withoutId(opened) : opened) as typeof result;
      },
    },
  },
});
