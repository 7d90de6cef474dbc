/**
 * Auth.js merges the query of a POST to `/api/auth/signin/<provider>` into the authorization request, last,
 * over what the provider and the app set (`scope`, `prompt`, `redirect_uri`…). The app's own sign-ins
 * (connectMake's server action) never come through this route with a query, so it is dropped here: a
 * signed-in user cannot ask Make for more than the app's server action would.
 */
import { NextRequest } from "next/server";

const isSignInPost = (request: Request, url: URL) =>
  request.method === "POST" && /\/signin\/[^/]+\/?$/.test(url.pathname);

export function withoutSignInQuery(handler: (request: NextRequest) => Promise<Response>) {
  return (request: NextRequest): Promise<Response> => {
    const url = new URL(request.url);
    if (!isSignInPost(request, url) || !url.search) return handler(request);
    url.search = "";
    const init = { method: request.method, headers: request.headers, body: request.body, duplex: "half" };
    return handler(new NextRequest(url, init as ConstructorParameters<typeof NextRequest>[1]));
  };
}
