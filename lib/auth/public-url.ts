/**
 * Gives Auth.js the request as the browser addressed it, so the OAuth `redirect_uri` is the same string in
 * the authorization request and in the token request.
 *
 * Why by hand: in production, Next 16 hands route handlers a URL on `localhost` whatever host the browser
 * used, and next-auth's own AUTH_URL rewrite (`new NextRequest(url, request)`) keeps that URL. The sign-in
 * server action builds its redirect_uri from AUTH_URL or the Host header, so the token request then sent a
 * different redirect_uri and Make rejected the code. Here the public origin is AUTH_URL when set, else the
 * forwarded or plain Host header (the same rule the server action follows), and the request is rebuilt from
 * plain parts so that origin sticks.
 */
import { NextRequest } from "next/server";

export function publicOrigin(request: Request): string {
  const configured = process.env.AUTH_URL;
  if (configured) return new URL(configured).origin;
  const url = new URL(request.url);
  const host = request.headers.get("x-forwarded-host")?.split(",")[0]?.trim() ?? request.headers.get("host") ?? url.host;
  const protocol = request.headers.get("x-forwarded-proto")?.split(",")[0]?.trim() ?? url.protocol.replace(":", "");
  return `${protocol}://${host}`;
}

export function withPublicUrl(handler: (request: NextRequest) => Promise<Response>) {
  return (request: NextRequest): Promise<Response> => {
    const url = new URL(request.url);
    const origin = publicOrigin(request);
    if (url.origin === origin) return handler(request);
    const hasBody = request.method !== "GET" && request.method !== "HEAD";
    const init = { method: request.method, headers: request.headers, body: hasBody ? request.body : null, duplex: "half" };
    return handler(new NextRequest(`${origin}${url.pathname}${url.search}`, init as ConstructorParameters<typeof NextRequest>[1]));
  };
}
