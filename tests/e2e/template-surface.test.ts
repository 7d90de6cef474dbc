/**
 * What a production build of the template contains: the product's routes, and none of the tooling's.
 * Reads the route manifest of the build the end-to-end tests run against, and the files under app/.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { TEST_DIST_DIR } from "../support/app-server";

const routes = async () => {
  const manifest = path.resolve(
    import.meta.dirname,
    "../..",
    TEST_DIST_DIR,
    "server/app-paths-manifest.json",
  );
  return Object.keys(JSON.parse(await readFile(manifest, "utf8")) as Record<string, string>);
};

describe("the production build", () => {
  it("serves the product's pages and not the benchmark's baseline page", async () => {
    const built = await routes();
    expect(built).toEqual(expect.arrayContaining(["/(marketing)/page", "/(dashboard)/dashboard/page"]));
    expect(built.filter((route) => route.startsWith("/(bench)/"))).toEqual([]);
    expect(built.filter((route) => route.startsWith("/bare"))).toEqual([]);
  });

  it("has no benchmark file in app/ (the bench copies its pages in for its own build only)", async () => {
    const app = path.resolve(import.meta.dirname, "../../app");
    const files = await readdir(app, { recursive: true });
    expect(files.filter((file) => /bench/i.test(file))).toEqual([]);
  });
});
