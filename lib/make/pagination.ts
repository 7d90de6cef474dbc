/**
 * Walks a Make list endpoint page by page (`pg[offset]`, `pg[limit]`) up to a cap, so a page that lists
 * "everything" stays bounded however much the user has. Use it for any list call that takes `pg`.
 * @see https://developers.make.com/api-documentation/pagination-sorting-filtering
 */

export interface PageRequest {
  offset: number;
  limit: number;
}

export interface CollectedPages<T> {
  items: T[];
  /** True when the cap was reached: there may be more than `items` holds. */
  capped: boolean;
}

/**
 * Calls `loadPage` with growing offsets until a page comes back shorter than asked (the last one) or
 * `maxItems` are collected. Pages are fetched one after another: each is a request against the
 * organization's per-minute budget, and a short page ends the walk without a further request.
 */
export async function collectPages<T>(
  loadPage: (page: PageRequest) => Promise<T[]>,
  { pageSize = 100, maxItems = 500 }: { pageSize?: number; maxItems?: number } = {},
): Promise<CollectedPages<T>> {
  const items: T[] = [];
  while (items.length < maxItems) {
    const limit = Math.min(pageSize, maxItems - items.length);
    const page = await loadPage({ offset: items.length, limit });
    items.push(...page.slice(0, limit));
    if (page.length < limit) return { items, capped: false };
  }
  return { items, capped: true };
}
