/**
 * The app's own defences against a malicious site and a curious network: no open redirect through
 * `callbackUrl`, no cross-site POST to the state-changing actions (CSRF), cookies scoped and flagged
 * (HttpOnly, SameSite=Lax, and `__Secure-`/`__Host-` with Secure under https), security headers on every
 * response, and neither tokens nor the client secret anywhere a browser can read.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page, Request } from "playwright-core";
import { STAND_IN_CLIENTS } from "@/make-stand-in/server";
import { TEST_DIST_DIR } from "../support/app-server";
import { completeMakeLogin, launchBrowser } from "../support/browser";
import { CookieJar, followAuthorization } from "../support/make-code-flow";
import { callbackUrlOf, cookieHeader, rowCounts } from "../support/sign-in-attempts";
import { startOtlpReceiver, type OtlpReceiver } from "../support/otlp-receiver";
import { startStack, type Stack } from "../support/stack";
import { storedTokens } from "../support/stored-tokens";

/** The nonce cookie is among the sign-in cookies checked here, so the nonce is on (by default none is sent). */
const NONCE_ON = { AUTH_MAKE_NONCE: "true" };

const EVIL = "https://evil.example";
let browser: Browser;
let stack: Stack;
let collector: OtlpReceiver;

beforeAll(async () => {
  collector = await startOtlpReceiver();
  // Traces go to a local OTLP collector, as they would with OTEL_EXPORTER_OTLP_ENDPOINT in production.
  const tracing = { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_BSP_SCHEDULE_DELAY: "100" };
  [browser, stack] = await Promise.all([
    launchBrowser(),
    startStack({ client: "confidential", env: { ...NONCE_ON, ...tracing } }),
  ]);
});
afterAll(async () => {
  await browser?.close();
  await stack?.close();
  await collector?.close();
});

async function withPage<T>(use: (page: Page, context: BrowserContext) => Promise<T>): Promise<T> {
  const context = await browser.newContext();
  try {
    return await use(await context.newPage(), context);
  } finally {
    await context.close();
  }
}

/** Clicks "Sign in with Make" on the page as it is, signs in at Make, and returns where the browser ends. */
async function signInFrom(page: Page): Promise<URL> {
  await page.getByRole("button", { name: "Sign in with Make" }).click();
  await completeMakeLogin(page, { login: "ada" });
  await page.waitForURL((url) => url.pathname === "/dashboard" || url.pathname === "/auth/error");
  return new URL(page.url());
}

describe("open redirect through callbackUrl", () => {
  for (const target of [EVIL, "//evil.example", "/\\evil.example"]) {
    it(`stays on the app after signing in from /?callbackUrl=${target}, signed in or not`, () =>
      withPage(async (page) => {
        await page.goto(`${stack.app.url}/?callbackUrl=${encodeURIComponent(target)}`);
        expect((await signInFrom(page)).href).toBe(`${stack.app.url}/dashboard`);
        await page.goto(`${stack.app.url}/?callbackUrl=${encodeURIComponent(target)}`);
        expect(page.url()).toBe(`${stack.app.url}/dashboard`);
      }));
  }

  it("answers a repeated callbackUrl with a redirect to the first path, signed in or not, never an error", () =>
    withPage(async (page) => {
      const landing = await page.goto(`${stack.app.url}/?callbackUrl=/dashboard&callbackUrl=/b`);
      expect(landing?.status()).toBe(200);
      expect((await signInFrom(page)).href).toBe(`${stack.app.url}/dashboard`);
      const signedIn = await fetch(`${stack.app.url}/?callbackUrl=/dashboard&callbackUrl=/b`, {
        headers: { cookie: await cookieHeader(page.context(), stack.app.url) },
        redirect: "manual",
      });
      expect(signedIn.status).toBe(307);
      expect(new URL(signedIn.headers.get("location")!, stack.app.url).pathname).toBe("/dashboard");
    }));

  it("sends a successful sign-in to its callbackUrl even when that carries ?error=, not to the error page", () =>
    withPage(async (page) => {
      await page.goto(
        `${stack.app.url}/?callbackUrl=${encodeURIComponent("/dashboard?error=Configuration")}`,
      );
      const landed = await signInFrom(page);
      expect(`${landed.pathname}${landed.search}`).toBe("/dashboard?error=Configuration");
      expect(await page.locator("[data-connection-state]").getAttribute("data-connection-state")).toBe(
        "active",
      );
    }));

  it("stays on the app when the sign-in starts at Auth.js's own /api/auth/signin?callbackUrl=", () =>
    withPage(async (page) => {
      await page.goto(`${stack.app.url}/api/auth/signin?callbackUrl=${encodeURIComponent(EVIL)}`);
      expect(new URL(page.url()).origin).toBe(stack.app.url);
      expect((await signInFrom(page)).origin).toBe(stack.app.url);
    }));

  it("stays on the app when a page of the app posts callbackUrl to /api/auth/signin/make itself", () =>
    withPage(async (page) => {
      await page.goto(stack.app.url);
      await page.evaluate(async (evil) => {
        const { csrfToken } = (await (await fetch("/api/auth/csrf")).json()) as { csrfToken: string };
        const form = Object.assign(document.createElement("form"), {
          method: "POST",
          action: "/api/auth/signin/make",
        });
        for (const [name, value] of Object.entries({ csrfToken, callbackUrl: evil })) {
          form.append(Object.assign(document.createElement("input"), { type: "hidden", name, value }));
        }
        document.body.append(form);
        form.submit();
      }, EVIL);
      await completeMakeLogin(page, { login: "ada" });
      await page.waitForURL(
        (url) => !url.pathname.startsWith("/interaction") && !url.pathname.startsWith("/oauth"),
      );
      expect(new URL(page.url()).origin).toBe(stack.app.url);
    }));
});

describe("cross-site requests (CSRF)", () => {
  let context: BrowserContext;
  let cookie: string;
  const actions = new Map<string, { headers: Record<string, string>; body: string }>();

  beforeAll(async () => {
    context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(stack.app.url);
    expect((await signInFrom(page)).pathname).toBe("/dashboard");
    cookie = await cookieHeader(context, stack.app.url);
    // The posts the dashboard's buttons send, captured (and stopped) on their way out.
    for (const name of ["Revoke", "Sign out"]) {
      await page.goto(`${stack.app.url}/dashboard`); // an aborted action leaves the page in its error state
      const sent = new Promise<Request>((resolve) =>
        page.route("**/dashboard", (route) => {
          const request = route.request();
          if (request.method() !== "POST" || !request.headers()["next-action"]) return route.continue();
          resolve(request);
          return route.abort();
        }),
      );
      await page.getByRole("button", { name, exact: true }).click();
      const request = await sent;
      actions.set(name, { headers: await request.allHeaders(), body: request.postData() ?? "" });
      await page.unrouteAll();
    }
  });
  afterAll(() => context?.close());

  const post = (name: string, origin: string) => {
    const action = actions.get(name)!;
    const headers = { ...action.headers, origin, cookie };
    for (const header of Object.keys(headers))
      if (header.startsWith(":") || header === "host" || header === "content-length")
        delete headers[header as keyof typeof headers];
    return fetch(`${stack.app.url}/dashboard`, {
      method: "POST",
      headers,
      body: action.body,
      redirect: "manual",
    });
  };
  const connectionState = async () =>
    (await stack.query<{ state: string }>(`SELECT state FROM "Account"`))[0]?.state;

  it("refuses the Revoke and Sign out actions posted from another site, and accepts the same posts from the app", async () => {
    const sessions = (await rowCounts(stack)).sessions;
    for (const name of ["Revoke", "Sign out"]) {
      const forged = await post(name, EVIL);
      expect(forged.status, name).toBeGreaterThanOrEqual(400);
    }
    expect(await connectionState()).toBe("active");
    expect((await rowCounts(stack)).sessions).toBe(sessions);
    expect(stack.standIn.controls.stats().revocations).toEqual([]);

    // The very same requests from the app's own origin work: only the origin made the difference.
    expect((await post("Revoke", stack.app.url)).status).toBe(200);
    expect(await connectionState()).toBe("revoked");
    expect((await post("Sign out", stack.app.url)).status).toBeLessThan(400);
    expect((await rowCounts(stack)).sessions).toBe(sessions - 1);
  });

  it("refuses a cross-site POST to /api/auth/signout without the CSRF token", () =>
    withPage(async (page, signedIn) => {
      await page.goto(stack.app.url);
      expect((await signInFrom(page)).pathname).toBe("/dashboard");
      const sessions = (await rowCounts(stack)).sessions;
      const forged = await fetch(`${stack.app.url}/api/auth/signout`, {
        method: "POST",
        headers: {
          origin: EVIL,
          cookie: await cookieHeader(signedIn, stack.app.url),
          "content-type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({ callbackUrl: EVIL, csrfToken: "guessed" }),
        redirect: "manual",
      });
      expect(forged.headers.get("location")).toBe(`${stack.app.url}/auth/error?reason=forged_request`);
      expect(forged.headers.getSetCookie().some((line) => line.startsWith("authjs.session-token="))).toBe(
        false,
      );
      expect((await rowCounts(stack)).sessions).toBe(sessions);
    }));

  it("refuses a sign-in started by another site's POST to /api/auth/signin/make (login CSRF)", async () => {
    const forged = await fetch(`${stack.app.url}/api/auth/signin/make`, {
      method: "POST",
      headers: { origin: EVIL, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ callbackUrl: "/dashboard" }),
      redirect: "manual",
    });
    expect(forged.headers.get("location")).toBe(`${stack.app.url}/auth/error?reason=forged_request`);
    expect(forged.headers.getSetCookie().filter((line) => /authjs\.(state|pkce|nonce)/.test(line))).toEqual(
      [],
    );
  });
});

describe("the authorization request", () => {
  it("asks Make only for what the app set, whatever query a POST to /api/auth/signin/make carries", async () => {
    const csrf = await fetch(`${stack.app.url}/api/auth/csrf`);
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const cookie = csrf.headers
      .getSetCookie()
      .map((line) => line.split(";")[0])
      .join("; ");
    const query = new URLSearchParams({
      scope: "openid connections:write hooks:write",
      prompt: "none",
      redirect_uri: `${EVIL}/api/auth/callback/make`,
    });
    const response = await fetch(`${stack.app.url}/api/auth/signin/make?${query}`, {
      method: "POST",
      headers: { origin: stack.app.url, cookie, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ csrfToken, callbackUrl: "/dashboard" }),
      redirect: "manual",
    });
    expect(response.status).toBe(302);
    const authorization = new URL(response.headers.get("location")!);
    expect(authorization.origin).toBe(new URL(stack.standIn.issuer).origin);
    expect(authorization.searchParams.get("scope")).not.toMatch(/connections:write|hooks:write/);
    expect(authorization.searchParams.get("scope")).toMatch(/^openid /);
    expect(authorization.searchParams.get("prompt")).toBeNull();
    expect(authorization.searchParams.get("redirect_uri")).toBe(`${stack.app.url}/api/auth/callback/make`);
  });
});

/** The cookie lines of a response, by name. */
const setCookies = (response: Response) =>
  new Map(response.headers.getSetCookie().map((line) => [line.slice(0, line.indexOf("=")), line] as const));

describe("cookies", () => {
  it("keeps the session cookie HttpOnly and SameSite=Lax, and so every sign-in cookie", () =>
    withPage(async (page, context) => {
      await page.goto(stack.app.url);
      await page.getByRole("button", { name: "Sign in with Make" }).click();
      await page.waitForURL(/\/interaction\//);
      const signInCookies = await context.cookies(stack.app.url);
      expect(signInCookies.map((c) => c.name).sort()).toEqual([
        "authjs.callback-url",
        "authjs.nonce",
        "authjs.pkce.code_verifier",
        "authjs.state",
      ]);
      await completeMakeLogin(page, { login: "ada" });
      await page.waitForURL(`${stack.app.url}/dashboard`);
      const cookies = await context.cookies(stack.app.url);
      expect(cookies.find((c) => c.name === "authjs.session-token")).toBeDefined();
      for (const c of [...signInCookies, ...cookies]) {
        if (c.name === "authjs.callback-url") continue; // a same-site path, not a credential
        expect({ name: c.name, httpOnly: c.httpOnly, sameSite: c.sameSite }).toEqual({
          name: c.name,
          httpOnly: true,
          sameSite: "Lax",
        });
      }
    }));

  describe("under https", () => {
    let secure: Stack;
    beforeAll(async () => {
      secure = await startStack({ client: "confidential", publicScheme: "https", env: NONCE_ON });
    });
    afterAll(() => secure?.close());

    it("names every cookie __Host- (Secure, path /, no Domain), the session cookie included", async () => {
      const publicUrl = secure.app.url.replace("http:", "https:");
      const app = new CookieJar();
      const csrf = await app.fetch(`${secure.app.url}/api/auth/csrf`);
      const { csrfToken } = (await csrf.json()) as { csrfToken: string };
      const start = await app.fetch(`${secure.app.url}/api/auth/signin/make`, {
        method: "POST",
        body: new URLSearchParams({ csrfToken, callbackUrl: `${publicUrl}/dashboard` }),
      });
      const authorization = new URL(start.headers.get("location")!);
      expect(authorization.searchParams.get("redirect_uri")).toBe(callbackUrlOf(publicUrl));
      const response = await followAuthorization(authorization, callbackUrlOf(publicUrl));
      // The app listens on plain http here; the browser would have come through TLS.
      const callback = await app.fetch(response.href.replace(publicUrl, secure.app.url));
      expect(callback.headers.get("location")).toBe(`${publicUrl}/dashboard`);

      const lines = new Map([...setCookies(csrf), ...setCookies(start), ...setCookies(callback)]);
      expect([...lines.keys()].sort()).toEqual([
        "__Host-authjs.callback-url",
        "__Host-authjs.csrf-token",
        "__Host-authjs.nonce",
        "__Host-authjs.pkce.code_verifier",
        "__Host-authjs.session-token",
        "__Host-authjs.state",
      ]);
      for (const [name, line] of lines) {
        expect(line, name).toMatch(/; Secure(;|$)/i);
        expect(line, name).toMatch(/; SameSite=Lax(;|$)/i);
        expect(line, name).toMatch(/; Path=\/(;|$)/i);
        expect(line, name).not.toMatch(/; Domain=/i);
      }
      expect(lines.get("__Host-authjs.session-token")).toMatch(/; HttpOnly(;|$)/i);

      // A session cookie without the __Host- prefix could have been planted (over plain http, or with
      // Domain= from a sibling subdomain as __Secure-): it opens nothing.
      const token = /^__Host-authjs\.session-token=([^;]+)/.exec(
        lines.get("__Host-authjs.session-token")!,
      )![1];
      const dashboard = (cookie: string) =>
        fetch(`${secure.app.url}/dashboard`, { headers: { cookie }, redirect: "manual" });
      expect((await dashboard(`__Host-authjs.session-token=${token}; session-renewed=1`)).status).toBe(200);
      for (const cookie of [
        `authjs.session-token=${token}`,
        `authjs.session-token=${token}; session-renewed=1`,
        `__Secure-authjs.session-token=${token}`,
        `__Secure-authjs.session-token=${token}; session-renewed=1`,
      ]) {
        const response = await dashboard(cookie);
        expect(response.status, cookie).toBe(307);
        expect(new URL(response.headers.get("location")!, secure.app.url).pathname, cookie).toBe("/");
      }
    });
  });
});

describe("security headers", () => {
  it("sends CSP frame-ancestors 'none', Referrer-Policy and nosniff on every page, API and asset response", async () => {
    const page = await (await fetch(stack.app.url)).text();
    const script = /<script src="(\/_next\/static\/[^"]+\.js)"/.exec(page)?.[1];
    expect(script).toBeDefined();
    const paths = [
      "/",
      "/dashboard", // the proxy's redirect to the start page
      "/auth/error?reason=state_mismatch",
      "/no-such-page",
      "/api/health",
      "/api/auth/csrf",
      "/api/auth/session",
      "/api/auth/providers",
      "/api/auth/callback/make", // a refused callback's redirect
      script!,
    ];
    for (const target of paths) {
      const response = await fetch(`${stack.app.url}${target}`, { redirect: "manual" });
      const headers = Object.fromEntries(response.headers);
      expect(headers["content-security-policy"], target).toMatch(/frame-ancestors 'none'/);
      expect(headers["content-security-policy"], target).toMatch(/object-src 'none'/);
      expect(headers["referrer-policy"], target).toBe("same-origin");
      expect(headers["x-content-type-options"], target).toBe("nosniff");
      expect(headers["x-frame-options"], target).toBe("DENY");
      expect(headers["x-powered-by"], target).toBeUndefined();
      expect(headers["strict-transport-security"], target).toMatch(/^max-age=\d{8,}; includeSubDomains$/);
    }
  });

  it("lets forms post only to the app and the sign-in providers, and images come only from them and Make", async () => {
    const directive = (csp: string, name: string) =>
      csp
        .split(/;\s*/)
        .find((part) => part.startsWith(`${name} `))!
        .split(" ")
        .slice(1);
    // A page's policy is built as it is served, from the configured providers (here Make only, on localhost).
    const page = (await fetch(stack.app.url)).headers.get("content-security-policy")!;
    expect(directive(page, "form-action")).toEqual(["'self'", "http://localhost:*"]);
    expect(directive(page, "img-src")).toEqual([
      "'self'",
      "data:",
      "http://localhost:*",
      "https://*.make.com",
      "https://*.make.celonis.com",
    ]);
    // Every other response's is fixed by the build, which knows the stand-in only as "localhost on some port",
    // and the generic OIDC provider as "127.0.0.1 on some port" (tests/e2e/build.setup.ts).
    const api = (await fetch(`${stack.app.url}/api/health`)).headers.get("content-security-policy")!;
    expect(directive(api, "form-action")).toEqual(["'self'", "http://localhost:*", "http://127.0.0.1:*"]);
    expect(directive(api, "script-src")).toEqual(["'self'"]);
  });

  it("runs a page's scripts by their nonce, fresh on each response, and no script injected into the page", () =>
    withPage(async (page) => {
      const [first, second] = await Promise.all([fetch(stack.app.url), fetch(stack.app.url)]);
      const nonceOf = (response: Response) =>
        /script-src 'nonce-([^']+)' 'strict-dynamic'/.exec(
          response.headers.get("content-security-policy")!,
        )?.[1];
      const nonce = nonceOf(first)!;
      expect(nonce).toBeTruthy();
      expect(nonceOf(second)).not.toBe(nonce);
      const scripts = [...(await first.text()).matchAll(/<script\b[^>]*>/g)].map(([tag]) => tag);
      expect(scripts.length).toBeGreaterThan(0);
      for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);

      // The page hydrates under the policy (its buttons work), and markup that slipped into it runs nothing.
      await page.goto(stack.app.url);
      expect((await signInFrom(page)).pathname).toBe("/dashboard");
      await page.evaluate(() =>
        document.body.insertAdjacentHTML(
          "beforeend",
          '<img src="data:," onload="window.__injected = 1" onerror="window.__injected = 1">',
        ),
      );
      await page.waitForTimeout(200);
      expect(await page.evaluate(() => (window as { __injected?: number }).__injected)).toBeUndefined();
    }));

  it("shows Make's profile picture under that policy", () =>
    withPage(async (page) => {
      await page.goto(stack.app.url);
      expect((await signInFrom(page)).pathname).toBe("/dashboard");
      const picture = page.locator("section img").first();
      await expect
        .poll(() => picture.evaluate((img) => (img as HTMLImageElement).naturalWidth))
        .toBeGreaterThan(0);
      expect(await picture.getAttribute("src")).toBe(`${stack.standIn.issuer}/avatars/ada.svg`);
    }));
});

describe("telemetry", () => {
  it("exports the traces of a sign-in without Make's code or the sealed state anywhere in them", () =>
    withPage(async (page) => {
      let callback: URL | undefined;
      page.on("request", (request) => {
        if (request.url().includes("/api/auth/callback/make?")) callback = new URL(request.url());
      });
      await page.goto(stack.app.url);
      expect((await signInFrom(page)).pathname).toBe("/dashboard");
      const code = callback!.searchParams.get("code")!;
      const state = callback!.searchParams.get("state")!;
      expect(code.length).toBeGreaterThan(10);
      expect(state.length).toBeGreaterThan(10);
      // The callback's own server span has been exported once its route shows up in what was received.
      await expect
        .poll(() => Buffer.concat(collector.bodies()).includes("/api/auth/callback/make"), {
          timeout: 10_000,
        })
        .toBe(true);
      const exported = Buffer.concat(collector.bodies());
      for (const secret of [code, state, encodeURIComponent(state), state.slice(0, 40)])
        expect(exported.includes(secret), "a trace carries Make's answer").toBe(false);
    }));
});

describe("a database dump", () => {
  // Auth.js's database sessions would keep the cookie value itself in "Session"."sessionToken"; here only
  // its SHA-256 is stored (lib/auth/hashed-sessions.ts), so a dump or a backup yields no usable cookie.
  it("gives no working session cookie: the stored session token is not the cookie value", () =>
    withPage(async (page) => {
      await page.goto(stack.app.url);
      expect((await signInFrom(page)).pathname).toBe("/dashboard");
      const dumped = await stack.query<{ sessionToken: string }>(`SELECT "sessionToken" FROM "Session"`);
      expect(dumped.length).toBeGreaterThan(0);
      for (const { sessionToken } of dumped) {
        const response = await fetch(`${stack.app.url}/dashboard`, {
          headers: { cookie: `authjs.session-token=${sessionToken}` },
          redirect: "manual",
        });
        expect(response.status).toBe(307);
      }
    }));
});

describe("secrets out of reach of the browser", () => {
  async function* files(dir: string): AsyncGenerator<string> {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) yield* files(full);
      else yield full;
    }
  }

  it("keeps the client secret, every token and every ciphertext out of the client JavaScript and of every response", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(stack.app.url);
    expect((await signInFrom(page)).pathname).toBe("/dashboard");
    const { accessToken, refreshToken } = await storedTokens(stack);
    const secrets = [STAND_IN_CLIENTS.confidential.clientSecret, "enc:v", accessToken, refreshToken!];

    const root = path.resolve(import.meta.dirname, "../..", TEST_DIST_DIR, "static");
    let checked = 0;
    for await (const file of files(root)) {
      const text = await readFile(file, "utf8");
      for (const secret of secrets) expect(text.includes(secret), `${file} contains a secret`).toBe(false);
      checked += 1;
    }
    expect(checked).toBeGreaterThan(5);

    const cookie = await cookieHeader(context, stack.app.url);
    const responses = [
      ["/", {}],
      ["/dashboard", {}],
      ["/dashboard", { rsc: "1" }],
      ["/api/auth/session", {}],
      ["/api/make/me", {}],
      ["/api/health", {}],
      ["/auth/error?reason=code_rejected", {}],
    ] as const;
    for (const [target, headers] of responses) {
      const response = await fetch(`${stack.app.url}${target}`, { headers: { cookie, ...headers } });
      expect(response.status, target).toBe(200);
      const text = await response.text();
      for (const secret of secrets) expect(text.includes(secret), `${target} contains a secret`).toBe(false);
      // What is about a user (pages, Make's profile) is never kept by a shared cache.
      if (target !== "/auth/error?reason=code_rejected")
        expect(response.headers.get("cache-control") ?? "", target).toMatch(/no-store|private/);
    }
    await context.close();
  });
});
