/**
 * Gives Auth.js the request as the browser addressed it: AUTH_URL's origin when set, else the forwarded or
 * plain Host header, so the OAuth `redirect_uri` is one string in the authorization and the token request.
 * Why Next's own request URL will not do: docs/security.md, "What these tests made us fix".
 */
import { NextRequest } from "next/server";
import { env } from "@/lib/env";

export function publicOrigin(request: Request): string {
  const configured = env.AUTH_URL;
  if (configured) return new URL(configured).origin;
  const url = new URL(request.url);
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
