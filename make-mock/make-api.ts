/**
 * The two Make REST API endpoints the dashboard calls, protected by the
 * access tokens this mock issues (looked up in oidc-provider's storage, so
 * expired and revoked tokens are rejected exactly as the OAuth server sees them).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type Provider from "oidc-provider";

import { sendJson } from "./http-utils";
import { findUserBySub, organizationsOf } from "./users";

interface Route {
  scope: string;
  body(sub: string): unknown;
}

const ROUTES: Record<string, Route> = {
  "/api/v2/users/me": {
    scope: "user:read",
    body: (sub) => {
      const user = findUserBySub(sub);
      // Make always sends strings here; the `sub-only` user has no profile, so empty ones.
      return {
        authUser: {
          id: Number(sub),
          name: user?.name ?? "",
          email: user?.email ?? "",
          timezone: "Europe/Prague",
          locale: "en",
        },
      };
    },
  },
  "/api/v2/organizations": {
    scope: "organizations:read",
    body: (sub) => ({ organizations: organizationsOf(sub) }),
  },
};

export function isMakeApiPath(path: string): boolean {
  return path.startsWith("/api/v2/");
}

export async function handleMakeApi(provider: Provider, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const route = ROUTES[path];
  if (!route) return sendJson(res, 404, { message: "Not found", code: "SC404" });
  if (req.method !== "GET") return sendJson(res, 405, { message: "Method not allowed", code: "SC405" });

  const match = /^Bearer ([^\s]+)$/i.exec(req.headers.authorization ?? "");
  const token = match?.[1] ? await provider.AccessToken.find(match[1]) : undefined;
  if (!token || !token.accountId) {
    return sendJson(
      res,
      401,
      { message: "Access token is missing, invalid, expired or revoked", code: "SC401" },
      { "www-authenticate": 'Bearer error="invalid_token"' },
    );
  }
  if (!token.scopes.has(route.scope)) {
    return sendJson(
      res,
      403,
      { message: `Access token is missing the scope ${route.scope}`, code: "SC403" },
      { "www-authenticate": `Bearer error="insufficient_scope", scope="${route.scope}"` },
    );
  }
  return sendJson(res, 200, route.body(token.accountId));
}
