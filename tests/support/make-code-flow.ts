/**
 * The OAuth code flow against the local Make stand-in without a browser: the login and consent pages are
 * followed by hand with a tiny cookie jar. Used to obtain real tokens in integration tests.
 */
import * as oauth from "oauth4webapi";
import { expect } from "vitest";
import { STAND_IN_CLIENTS, type MakeStandIn } from "@/make-stand-in/server";

export const DEFAULT_REDIRECT_URI = "http://localhost:3000/api/auth/callback/make";
const insecure = { [oauth.allowInsecureRequests]: true } as const;

export type ClientKind = "confidential" | "public";

export async function discover(standIn: MakeStandIn): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(standIn.issuer);
  return oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure));
}

/** Cookies by name only: enough for one authorization flow against one host. */
export class CookieJar {
  private cookies = new Map<string, string>();

  async fetch(url: URL | string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size)
      headers.set("cookie", [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; "));
    const res = await fetch(url, { ...init, headers, redirect: "manual" });
    for (const line of res.headers.getSetCookie()) {
      const [pair = "", ...attributes] = line.split(";");
      const name = pair.slice(0, pair.indexOf("=")).trim();
      const expired = attributes.some((attr) => /^\s*(max-age=0|expires=Thu, 01 Jan 1970)/i.test(attr));
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(pair.indexOf("=") + 1).trim());
    }
    return res;
  }
}

export interface FlowOptions {
  client: ClientKind;
  login?: string;
  password?: string;
  pkce?: boolean;
  scope?: string;
  nonce?: string;
  decision?: "allow" | "deny";
}

export interface Flow {
  callback: URL;
  state: string;
  codeVerifier?: string;
  nonce?: string;
}

export function clientOf(kind: ClientKind): [oauth.Client, oauth.ClientAuth] {
  return kind === "confidential"
    ? [
        { client_id: STAND_IN_CLIENTS.confidential.clientId },
        oauth.ClientSecretPost(STAND_IN_CLIENTS.confidential.clientSecret),
      ]
    : [{ client_id: STAND_IN_CLIENTS.public.clientId }, oauth.None()];
}

export const formAction = (html: string, base: URL) =>
  new URL(/<form method="post" action="([^"]+)"/.exec(html)?.[1] ?? "", base);

/** Runs the authorization request through the login and consent pages until the stand-in redirects to the app. */
export async function authorize(
  as: oauth.AuthorizationServer,
  options: FlowOptions,
  redirectUri = DEFAULT_REDIRECT_URI,
): Promise<Flow> {
  const [client] = clientOf(options.client);
  const state = oauth.generateRandomState();
  const codeVerifier = options.pkce ? oauth.generateRandomCodeVerifier() : undefined;
  const url = new URL(as.authorization_endpoint!);
  url.search = new URLSearchParams({
    client_id: client.client_id,
    response_type: "code",
    redirect_uri: redirectUri,
    scope: options.scope ?? "openid user:read organizations:read",
    state,
    ...(options.nonce ? { nonce: options.nonce } : {}),
    ...(codeVerifier
      ? {
          code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
          code_challenge_method: "S256",
        }
      : {}),
  }).toString();

  return {
    callback: await followAuthorization(url, redirectUri, options),
    state,
    codeVerifier,
    nonce: options.nonce,
  };
}

/**
 * From an authorization request URL (built here or by the app) through the login and consent pages to
 * the redirect back to `redirectUri`, returned undelivered.
 */
export async function followAuthorization(
  url: URL,
  redirectUri: string,
  options: Pick<FlowOptions, "login" | "password" | "decision"> = {},
): Promise<URL> {
  const jar = new CookieJar();
  let current = url;
  let res = await jar.fetch(current);
  for (let step = 0; step < 12; step++) {
    if (res.status === 302 || res.status === 303) {
      current = new URL(res.headers.get("location")!, current);
      if (current.href.startsWith(redirectUri)) return current;
      res = await jar.fetch(current);
      continue;
    }
    const html = await res.text();
    expect(res.status, html).toBe(200);
    const form: Record<string, string> = html.includes('name="password"')
      ? { login: options.login ?? "ada", password: options.password ?? "password" }
      : { decision: options.decision ?? "allow" };
    res = await jar.fetch(formAction(html, current), { method: "POST", body: new URLSearchParams(form) });
  }
  throw new Error("authorization flow did not reach the redirect_uri");
}

export async function exchange(
  as: oauth.AuthorizationServer,
  flow: Flow,
  kind: ClientKind,
  redirectUri = DEFAULT_REDIRECT_URI,
): Promise<oauth.TokenEndpointResponse> {
  const [client, auth] = clientOf(kind);
  const params = oauth.validateAuthResponse(as, client, flow.callback, flow.state);
  const res = await oauth.authorizationCodeGrantRequest(
    as,
    client,
    auth,
    params,
    redirectUri,
    flow.codeVerifier ?? oauth.nopkce,
    insecure,
  );
  return oauth.processAuthorizationCodeResponse(as, client, res, {
    expectedNonce: flow.nonce ?? oauth.expectNoNonce,
    requireIdToken: true,
  });
}

export async function signInTokens(as: oauth.AuthorizationServer, options: FlowOptions) {
  return exchange(as, await authorize(as, options), options.client);
}
