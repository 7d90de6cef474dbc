/**
 * Walks a Make list endpoint page by page (`pg[offset]`, `pg[limit]`) up to a cap, so a page that lists
 * "everything" stays bounded however much the user has. Use it for any list call that takes `pg`.
 * @see https://developers.make.com/api-documentation/pagination-sorting-filtering
 */

export interface PageRequest {
  offset: number;
  limit: number;
}

/** One page as Make answered it: its items and, when Make echoed its `pg`, the limit it really applied. */
export interface ListPage<T> {
  items: T[];
  pg?: { limit?: number; sortBy?: string; sortDir?: string };
}

export interface CollectedPages<T> {
  items: T[];
  /** True when the cap was reached: there may be more than `items` holds. */
  capped: boolean;
  /** The `pg` Make echoed with the first page (what it says it sorted by). */
  pg?: ListPage<T>["pg"];
}

/**
 * Calls `loadPage` with growing offsets until a page comes back shorter than the limit Make applied (the
 * last one) or `maxItems` are collected. Make may cap `pg[limit]` below what was asked: a page as long as
 * the limit it echoes is a full one, and the next is asked for. Pages are fetched one after another: each
 * is a request against the organization's per-minute budget.
 */
export async function collectPages<T>(
  loadPage: (page: PageRequest) => Promise<T[] | ListPage<T>>,
  { pageSize = 100, maxItems = 500 }: { pageSize?: number; maxItems?: number } = {},
): Promise<CollectedPages<T>> {
  const items: T[] = [];
  let firstPg: ListPage<T>["pg"];
  let first = true;
  while (items.length < maxItems) {
    const limit = Math.min(pageSize, maxItems - items.length);
    const answer = await loadPage({ offset: items.length, limit });
    const page = Array.isArray(answer) ? { items: answer } : answer;
    if (first) firstPg = page.pg;
    first = false;
    const echoed = page.pg?.limit;
    const applied = echoed && echoed > 0 ? Math.min(limit, echoed) : limit;
    items.push(...page.items.slice(0, limit));
    if (page.items.length < applied || page.items.length === 0) return { items, capped: false, pg: firstPg };
  }
  return { items, capped: true, pg: firstPg };
}
