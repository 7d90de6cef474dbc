/**
 * Which routes of a build load operator tooling (lib/make/ops/): a route's server chunks are searched for
 * string literals found only in those files. Reads the build on disk; `npm run bench -- --only doors`.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";

const OPS_DIR = "lib/make/ops";
/** Literals this long are specific enough to name the file they come from. */
const MIN_LENGTH = 24;

async function literalsOf(file: string): Promise<string[]> {
  const source = await readFile(file, "utf8");
  return [...source.matchAll(/"([^"\\\n]{24,120})"/g)].map((match) => match[1]!);
}

async function filesUnder(dir: string, test: (name: string) => boolean): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile() && test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** Markers: literals of lib/make/ops/ that no other file of app/, components/ or lib/ contains. */
async function opsMarkers(root: string): Promise<string[]> {
  const ops = await filesUnder(path.join(root, OPS_DIR), (name) => name.endsWith(".ts"));
  const others = (
    await Promise.all(
      ["app", "components", "lib"].map((dir) =>
        filesUnder(path.join(root, dir), (name) => /\.(ts|tsx)$/.test(name)),
      ),
    )
  )
    .flat()
    .filter((file) => !file.includes(`${path.sep}ops${path.sep}`) && !file.includes("generated"));
  const elsewhere = (await Promise.all(others.map((file) => readFile(file, "utf8")))).join("\n");
  const literals = (await Promise.all(ops.map(literalsOf))).flat();
  return [...new Set(literals)].filter((text) => text.length >= MIN_LENGTH && !elsewhere.includes(text));
}

export interface RouteModules {
  markers: number;
  routes: Array<{ route: string; loadsOps: boolean }>;
}

export async function measureRouteModules(root: string, distDir: string): Promise<RouteModules> {
  const markers = await opsMarkers(root);
  const appDir = path.join(root, distDir, "server", "app");
  const entries = await filesUnder(appDir, (name) => name === "page.js" || name === "route.js");
  const routes = [];
  // Routes share chunks: each is read and searched once.
  const loadsOpsByChunk = new Map<string, boolean>();
  const chunkLoadsOps = async (chunk: string) => {
    if (!loadsOpsByChunk.has(chunk)) {
      const text = await readFile(path.join(root, distDir, chunk), "utf8").catch(() => "");
      loadsOpsByChunk.set(
        chunk,
        markers.some((marker) => text.includes(marker)),
      );
    }
    return loadsOpsByChunk.get(chunk)!;
  };
  for (const entry of entries.sort()) {
    const loader = await readFile(entry, "utf8");
    const chunks = [...new Set(loader.match(/server\/chunks\/[^"]+\.js/g) ?? [])];
    let loadsOps = false;
    for (const chunk of chunks) if (await chunkLoadsOps(chunk)) loadsOps = true;
    const route = path.relative(appDir, path.dirname(entry)).split(path.sep).join("/") || "/";
    routes.push({ route: `/${route}`.replace(/\/\([^)]+\)/g, ""), loadsOps });
  }
  return { markers: markers.length, routes };
}

export function formatRouteModules(report: RouteModules): string[] {
  const loading = report.routes.filter((route) => route.loadsOps);
  return [
    `routes loading operator tooling (lib/make/ops, ${report.markers} markers): ${loading.length} of ${report.routes.length}` +
      (loading.length ? ` — ${loading.map((route) => route.route).join(", ")}` : ""),
  ];
}
