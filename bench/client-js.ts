/**
 * First-load JavaScript of a page, measured the way a browser meets it: fetch the page's HTML, collect
 * every script it loads or preloads (`<script src>`, `<link rel="preload|modulepreload" as="script">`),
 * download each once and add up the bytes, raw and gzip-compressed. This needs no knowledge of the
 * build's manifests, whose layout changes between Next versions and bundlers. Inline scripts (the RSC
 * payload) are page data, not code, and are left out.
 */
import { gzipSync } from "node:zlib";

export interface ClientJs {
  scripts: number;
  bytes: number;
  gzipBytes: number;
}

const attribute = (tag: string, name: string) =>
  new RegExp(`\\s${name}="([^"]*)"`, "i").exec(tag)?.[1]?.replaceAll("&amp;", "&");

export function scriptUrls(html: string, base: string): string[] {
  const urls = new Set<string>();
  for (const [tag] of html.matchAll(/<script\b[^>]*>/gi)) {
    const src = attribute(tag, "src");
    if (src) urls.add(new URL(src, base).href);
  }
  for (const [tag] of html.matchAll(/<link\b[^>]*>/gi)) {
    const rel = attribute(tag, "rel") ?? "";
    const href = attribute(tag, "href");
    const isScript = rel === "modulepreload" || (rel === "preload" && attribute(tag, "as") === "script");
    if (href && isScript) urls.add(new URL(href, base).href);
  }
  return [...urls];
}

export async function firstLoadJs(url: string, headers: Record<string, string> = {}): Promise<ClientJs> {
  const page = await fetch(url, { headers, redirect: "manual" });
  if (page.status !== 200) throw new Error(`GET ${url} answered ${page.status}`);
  const urls = scriptUrls(await page.text(), url);
  let bytes = 0;
  let gzipBytes = 0;
  for (const script of urls) {
    const response = await fetch(script);
    if (response.status !== 200) throw new Error(`GET ${script} answered ${response.status}`);
    const body = Buffer.from(await response.arrayBuffer());
    bytes += body.length;
    gzipBytes += gzipSync(body).length;
  }
  return { scripts: urls.length, bytes, gzipBytes };
}
