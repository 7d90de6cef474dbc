/**
 * The auth route's request as the browser addressed it (AUTH_URL, Vercel's URL, or trusted Host headers), so
 * the OAuth `redirect_uri` is one string throughout; and the origins the redirect proxy may forward Make's
 * answer to. Why Next's own request URL will not do: lib/auth/README.md, "The auth route".
 */
import { log } from "@/lib/log";
import { NextRequest } from "next/server";
import { deploymentUrl, env, trustHost } from "@/lib/env";

export function publicOrigin(request: Request): string {
  const configured = deploymentUrl();
  if (configured) return new URL(configured).origin;
  const url = new URL(request.url);
  if (!trustHost()) return url.origin;
  const host =
    request.headers.get("x-forwarded-host")?.split(",")[0]?.trim() ?? request.headers.get("host") ?? url.host;
  const protocol =
    request.headers.get("x-forwarded-proto")?.split(",")[0]?.trim() ?? url.protocol.replace(":", "");
  return `${protocol}://${host}`;
}

export function withPublicUrl(handler: (request: NextRequest) => Promise<Response>) {
  return (request: NextRequest): Promise<Response> => {
    const url = new URL(request.url);
    const origin = publicOrigin(request);
    if (url.origin === origin) return handler(request);
    const hasBody = request.method !== "GET" && request.method !== "HEAD";
    const init = {
      method: request.method,
      headers: request.headers,
      body: hasBody ? request.body : null,
      duplex: "half",
    };
    return handler(
      new NextRequest(
        `${origin}${url.pathname}${url.search}`,
        init as ConstructorParameters<typeof NextRequest>[1],
      ),
    );
  };
}

const escapeRegExp = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
const matchesPattern = (origin: string, pattern: string) =>
  new RegExp(`^${escapeRegExp(pattern.toLowerCase()).replaceAll("*", "[a-z0-9-]+")}$`).test(origin);

/**
 * On Vercel, the project's preview URLs in the two forms Vercel gives them:
 * `<project>-<9-character hash>-<scope>.vercel.app` and `<project>-git-<branch>-<scope>.vercel.app`. The
 * project and scope are read off the stable deployment's own two URLs (what they have in common).
 * @see https://vercel.com/docs/deployments/generated-urls
 */
function vercelPreviewOrigins(): RegExp | undefined {
  const own = env.VERCEL_URL?.toLowerCase();
  const branch = env.VERCEL_BRANCH_URL?.toLowerCase();
  if (env.VERCEL !== "1" || !own?.endsWith(".vercel.app") || !branch?.endsWith(".vercel.app"))
    return undefined;
  let start = 0;
  while (own[start] === branch[start]) start++;
  let end = 0;
  while (end < own.length - start && own.at(-1 - end) === branch.at(-1 - end)) end++;
  const prefix = own.slice(0, own.lastIndexOf("-", start - 1) + 1);
  const suffix = own.slice(own.indexOf("-", own.length - end));
  if (!prefix || !suffix.endsWith(".vercel.app") || !suffix.startsWith("-")) return undefined;
  const [project, scope] = [prefix, suffix].map(escapeRegExp);
  return new RegExp(`^https://${project}(?:[a-z0-9]{9}|git-[a-z0-9-]+)${scope}$`);
}

/** Where the redirect proxy may forward Make's answer: the configured list, else this project's previews. */
export function redirectProxyAllows(origin: string): boolean {
  const candidate = origin.toLowerCase();
  if (env.AUTH_REDIRECT_PROXY_ALLOWED_ORIGINS)
    return env.AUTH_REDIRECT_PROXY_ALLOWED_ORIGINS.some((pattern) => matchesPattern(candidate, pattern));
  return vercelPreviewOrigins()?.test(candidate) ?? false;
}

/** Where a response sends the browser: its `Location`, or the `url` Auth.js answers in JSON when asked to. */
async function destinationOf(response: Response): Promise<string | undefined> {
  if (response.status >= 300 && response.status < 400) return response.headers.get("location") ?? undefined;
  if (!response.headers.get("content-type")?.includes("application/json")) return undefined;
  const body: unknown = await response
    .clone()
    .json()
    .catch(() => undefined);
  const url = (body as { url?: unknown } | undefined)?.url;
  return typeof url === "string" ? url : undefined;
}

/**
 * Auth.js's redirect proxy forwards Make's answer (code and state) to whatever origin the `state` names,
 * and any deployment holding the shared AUTH_SECRET can seal one. On the stable deployment, a forward to
 * an origin outside the allowlist is answered with the error page instead, and the code goes nowhere,
 * whether Auth.js answered with a redirect or, asked by `X-Auth-Return-Redirect`, with the URL in JSON.
 */
export function withRedirectProxyAllowlist(handler: (request: NextRequest) => Promise<Response>) {
  return async (request: NextRequest): Promise<Response> => {
    const response = await handler(request);
    if (!env.AUTH_REDIRECT_PROXY_URL) return response;
    const location = await destinationOf(response);
    if (!location) return response;
    const { origin: own, pathname } = new URL(request.url);
    const target = new URL(location, request.url);
    const forwarded = pathname.includes("/callback/") && target.origin !== own;
    if (!forwarded || redirectProxyAllows(target.origin)) return response;
    log.error("redirect proxy: refused to forward Make's answer (origin not allowed)", {
      origin: target.origin,
    });
    return Response.redirect(new URL("/auth/error?reason=forged_request", own), 302);
  };
}
