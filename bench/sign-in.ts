/**
 * "Sign in with Make" without a browser, the way a browser does it: Auth.js's CSRF token and sign-in POST,
 * the stand-in's login and consent pages, then the redirect back to the app's callback. Only that last
 * request is timed: it is the app's callback handler (code exchange, id_token validation, userinfo,
 * database writes), and the stand-in's share of it is subtracted (see stand-in-timing.ts).
 */
import { SESSION_RENEWED_COOKIE } from "../auth.config";
import { percentile } from "./load";
import type { StandInTiming } from "./stand-in-timing";

/** Cookies by name for one origin: enough for one sign-in against one host. */
class CookieJar {
  private cookies = new Map<string, string>();

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  get(name: string): string | undefined {
    return this.cookies.get(name);
  }

  async fetch(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set("cookie", this.header());
    const response = await fetch(url, { ...init, headers, redirect: "manual" });
    for (const line of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = line.split(";");
      const name = pair.slice(0, pair.indexOf("=")).trim();
      const value = pair.slice(pair.indexOf("=") + 1).trim();
      const expired = !value || attributes.some((attribute) => /^\s*max-age=0\s*$/i.test(attribute));
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }
}

export interface SignIn {
  /** The `cookie` header of the signed-in browser: the session and the proxy's renewal marker. */
  cookie: string;
  callbackMs: number;
  standInMs: number;
}

const form = (fields: Record<string, string>) => ({
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams(fields).toString(),
});

/** `standIn`: the stand-in's timing, to subtract its share from the callback's time; without it none is. */
export async function signInWithMake(
  appUrl: string,
  standIn: StandInTiming | undefined,
  login = "ada",
): Promise<SignIn> {
  const app = new CookieJar();
  const make = new CookieJar();
  const { csrfToken } = (await (await app.fetch(`${appUrl}/api/auth/csrf`)).json()) as { csrfToken: string };
  let response = await app.fetch(
    `${appUrl}/api/auth/signin/make`,
    form({ csrfToken, callbackUrl: `${appUrl}/dashboard` }),
  );
  let location = new URL(response.headers.get("location") ?? "", appUrl);
  if (response.status !== 302 || location.origin === appUrl) {
    throw new Error(`sign-in did not redirect to Make (${response.status} ${location})`);
  }

  const callbackPrefix = `${appUrl}/api/auth/callback/make`;
  for (let step = 0; !location.href.startsWith(callbackPrefix); step++) {
    if (step > 12) throw new Error("the stand-in never redirected back to the app");
    response = await make.fetch(location);
    if (response.status >= 300 && response.status < 400) {
      location = new URL(response.headers.get("location") ?? "", location);
      continue;
    }
    const html = await response.text();
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
    if (response.status !== 200 || !action)
      throw new Error(`unexpected page at the stand-in (${response.status})`);
    const fields: Record<string, string> = html.includes('name="password"')
      ? { login, password: "password" }
      : { decision: "allow" };
    response = await make.fetch(new URL(action, location), form(fields));
    location = new URL(response.headers.get("location") ?? "", location);
  }

  const started = performance.now();
  response = await app.fetch(location);
  await response.arrayBuffer();
  const ended = performance.now();
  const landed = response.headers.get("location") ?? "";
  if (response.status !== 302 || !landed.endsWith("/dashboard") || !app.get("authjs.session-token")) {
    throw new Error(`the callback did not sign in (${response.status} → ${landed})`);
  }
  // The browser then opens the dashboard, where proxy.ts renews the session cookie and sets its marker for a
  // day: the cookies every later request of that browser carries, and which keep them out of the proxy.
  await (await app.fetch(new URL(landed, appUrl))).arrayBuffer();
  if (!app.get(SESSION_RENEWED_COOKIE))
    throw new Error("the first /dashboard view did not set the session's marker");
  return {
    cookie: app.header(),
    callbackMs: ended - started,
    standInMs: standIn?.busyWithin(started, ended) ?? 0,
  };
}

export interface SignInSummary {
  count: number;
  /** The app's own time in the callback handler. */
  appMedian: number;
  appP95: number;
  callbackMedian: number;
  standInMedian: number;
  cookie: string;
}

/** `count` sign-ins one after another, after `warmUp` uncounted ones (first-request compilation, caches). */
export async function measureSignIns(
  appUrl: string,
  standIn: StandInTiming,
  count = 20,
  warmUp = 2,
): Promise<SignInSummary> {
  for (let i = 0; i < warmUp; i++) await signInWithMake(appUrl, standIn);
  const runs: SignIn[] = [];
  for (let i = 0; i < count; i++) runs.push(await signInWithMake(appUrl, standIn));
  const own = runs.map((run) => run.callbackMs - run.standInMs);
  return {
    count,
    appMedian: percentile(own, 50),
    appP95: percentile(own, 95),
    callbackMedian: percentile(
      runs.map((run) => run.callbackMs),
      50,
    ),
    standInMedian: percentile(
      runs.map((run) => run.standInMs),
      50,
    ),
    cookie: runs.at(-1)!.cookie,
  };
}
