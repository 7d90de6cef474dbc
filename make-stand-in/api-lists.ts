/**
 * How the stand-in's Make API lists answer: `pg[offset]` / `pg[limit]` pagination (Make's default page is
 * 10, its maximum 10000), `pg[sortBy]` / `pg[sortDir]` sorting, the whole `pg` object echoed back, and
 * `cols[]` choosing the fields of each item.
 */
import { invalidInput } from "./api-errors";

/** With the `strictSortBy` switch, the only `pg[sortBy]` values any list accepts. */
export const STRICT_SORT_KEYS = ["name", "id"] as const;

type Item = Record<string, unknown>;

interface ListOptions {
  /** Applied when the request names no `pg[sortBy]`; none keeps the catalog's order. */
  defaultSortBy?: string;
  strictSortBy: boolean;
  /** `pg[sortBy]` is ignored: the default order, and the default key echoed. */
  ignoreSortBy?: boolean;
  /** The largest `pg[limit]` honoured. */
  maxPageLimit?: number;
}

/** Every `pg[...]` parameter of the request, as sent (numbers as numbers). */
function pgParams(query: URLSearchParams): Record<string, string | number> {
  const pg: Record<string, string | number> = {};
  for (const [key, value] of query) {
    const name = /^pg\[(\w+)\]$/.exec(key)?.[1];
    if (name) pg[name] = /^-?\d+$/.test(value) ? Number(value) : value;
  }
  return pg;
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a ?? "").localeCompare(String(b ?? ""));
}

export function listPage<T extends object>(
  items: readonly T[],
  query: URLSearchParams,
  options: ListOptions,
) {
  const pg = pgParams(query);
  const offset = Math.max(0, Number(pg.offset ?? 0) || 0);
  const limit = Math.min(options.maxPageLimit ?? 10_000, Math.max(1, Number(pg.limit ?? 10) || 10));
  const sortBy = typeof pg.sortBy === "string" && !options.ignoreSortBy ? pg.sortBy : options.defaultSortBy;
  const sortDir = pg.sortDir === "desc" && !options.ignoreSortBy ? "desc" : "asc";
  if (options.strictSortBy && pg.sortBy !== undefined && !STRICT_SORT_KEYS.includes(pg.sortBy as never)) {
    throw invalidInput(`pg[sortBy] must be one of: ${STRICT_SORT_KEYS.join(", ")}`);
  }
  let sorted = [...items];
  // An unknown key sorts nothing (lenient mode): Make does not document which keys each list accepts.
  if (sortBy && items.some((item) => sortBy in item)) {
    const direction = sortDir === "desc" ? -1 : 1;
    sorted = sorted.sort((a, b) => compare((a as Item)[sortBy], (b as Item)[sortBy]) * direction);
  }
  return {
    page: sorted.slice(offset, offset + limit),
    pg: { ...pg, ...(sortBy ? { sortBy, sortDir } : {}), offset, limit },
  };
}

/** `cols[]=id&cols[]=zone`: only those fields (that exist) of each item; no `cols[]`, the item's default fields. */
export function pickColumns(item: Item, query: URLSearchParams, defaults: readonly string[]): Item {
  const asked = query.getAll("cols[]");
  const columns =
    asked.length && !asked.includes("*") ? asked : asked.includes("*") ? Object.keys(item) : defaults;
  return Object.fromEntries(
    columns.filter((column) => column in item).map((column) => [column, item[column]]),
  );
}
