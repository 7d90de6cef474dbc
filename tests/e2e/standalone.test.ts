/**
 * The built function runs on its own: the standalone output (the files Next traces, as Vercel deploys
 * them) copied to an empty directory with no project node_modules, started against PostgreSQL and the
 * Make stand-in, signs a user in end to end. The development-only packages are not part of it.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser } from "playwright-core";
import { STAND_IN_CLIENTS, startMakeStandIn, type MakeStandIn } from "@/make-stand-in/server";
import { completeMakeLogin, launchBrowser } from "../support/browser";
import { freePort } from "../support/ports";
import { freshDatabase, type FreshDatabase } from "../support/postgres";
import { TEST_AUTH_SECRET } from "../support/stack";
import {
  copyStandalone,
  firstResponse,
  spawnStandalone,
  type StandaloneCopy,
  type StandaloneServer,
} from "../support/standalone";

let copy: StandaloneCopy;
let database: FreshDatabase;
let standIn: MakeStandIn;
let server: StandaloneServer;
let browser: Browser;

beforeAll(async () => {
  copy = await copyStandalone();
  console.log(
    `standalone output: ${(copy.bytes / 2 ** 20).toFixed(1)} MB (server.js, traced node_modules, static files)`,
  );
  database = await freshDatabase(inject("postgresUrl"));
  const port = await freePort();
  const appUrl = `http://127.0.0.1:${port}`;
  standIn = await startMakeStandIn({
    port: 0,
    redirectUris: [`${appUrl}/api/auth/callback/make`],
    quiet: true,
  });
  server = spawnStandalone(copy.dir, {
    port,
    env: {
      DATABASE_URL: database.url,
      AUTH_SECRET: TEST_AUTH_SECRET,
      AUTH_URL: appUrl,
      AUTH_MAKE_ISSUER: standIn.issuer,
      AUTH_MAKE_ID: STAND_IN_CLIENTS.confidential.clientId,
      AUTH_MAKE_SECRET: STAND_IN_CLIENTS.confidential.clientSecret,
      MAKE_API_URL: `${standIn.url}/api/v2`,
    },
  });
  await firstResponse(server, `${server.url}/`);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await standIn?.close();
  await database?.drop();
  await copy?.remove();
});

describe("the standalone build, alone in an empty directory", () => {
  it("holds none of the development-only packages", () => {
    for (const name of [
      "@electric-sql/pglite",
      "@electric-sql/pglite-socket",
      "oidc-provider",
      "tsx",
      "vitest",
      "prisma",
    ]) {
      expect(existsSync(path.join(copy.dir, "node_modules", name)), name).toBe(false);
    }
  });

  it("signs a user in end to end, and the dashboard shows the connection active", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(server.url);
    await page.getByRole("button", { name: "Sign in with Make" }).click();
    await completeMakeLogin(page, { login: "ada" });
    await page.waitForURL(`${server.url}/dashboard`);
    expect(await page.locator("[data-connection-state]").getAttribute("data-connection-state")).toBe(
      "active",
    );
    expect(await page.locator('[data-claim="name"]').innerText()).toBe("Ada Lovelace");
    await context.close();
  });

  it("answers its health check with the database and Make reachable", async () => {
    const response = await fetch(`${server.url}/api/health`);
    expect(response.status, server.output()).toBe(200);
    expect(await response.json()).toMatchObject({
      ok: true,
      database: { ok: true },
      makeDiscovery: { ok: true },
    });
  });
});
