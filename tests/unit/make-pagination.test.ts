import { describe, expect, it } from "vitest";
import { collectPages, type PageRequest } from "@/lib/make/client/pagination";

const listOf = (total: number) => {
  const requests: PageRequest[] = [];
  const load = async ({ offset, limit }: PageRequest) => {
    requests.push({ offset, limit });
    return Array.from({ length: Math.max(0, Math.min(limit, total - offset)) }, (_, i) => offset + i);
  };
  return { requests, load };
};

describe("pagination (pg[offset], pg[limit])", () => {
  it("walks the pages until a short one, without asking for an empty page after it", async () => {
    const { requests, load } = listOf(120);
    const { items, capped } = await collectPages(load, { pageSize: 50 });
    expect(items).toEqual(Array.from({ length: 120 }, (_, i) => i));
    expect(capped).toBe(false);
    expect(requests).toEqual([
      { offset: 0, limit: 50 },
      { offset: 50, limit: 50 },
      { offset: 100, limit: 50 },
    ]);
  });

  it("stops at the cap and says so", async () => {
    const { requests, load } = listOf(10_000);
    const { items, capped } = await collectPages(load, { pageSize: 100, maxItems: 250 });
    expect(items).toHaveLength(250);
    expect(capped).toBe(true);
    expect(requests.at(-1)).toEqual({ offset: 200, limit: 50 });
  });

  it("asks once for an empty list", async () => {
    const { requests, load } = listOf(0);
    expect(await collectPages(load)).toEqual({ items: [], capped: false });
    expect(requests).toHaveLength(1);
  });
});
