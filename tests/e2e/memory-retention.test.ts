/**
 * A long-running server lets go of the requests it has served. Next.js 16 keeps them through the stacks of
 * the errors React aborts each render's cache signal with (lib/abort-reason-stacks.ts): 4,000 dashboard
 * views, 16 at a time, left 871 responses alive without the workaround. Counted in the server itself by a
 * preloaded probe, after a garbage collection.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runLoad } from "@/bench/load";
import { signInWithMake } from "../support/browser";
import { useBrowserAndStack } from "../support/browser-stack";
import { cookieHeader } from "../support/sign-in-attempts";
import { askProbe, type AppServer } from "../support/app-server";

const probe = path.resolve(import.meta.dirname, "../support/live-objects-probe.cjs");
const setup = useBrowserAndStack({ env: { NODE_OPTIONS: `--require ${JSON.stringify(probe)}` } });

async function liveObjects(app: AppServer): Promise<{ requests: number; responses: number }> {
  return JSON.parse(await askProbe(app, "LIVE_OBJECTS")) as { requests: number; responses: number };
}

describe("memory of a long-running server", () => {
  it("keeps no served request alive: 4,000 dashboard views, 16 at a time", { timeout: 180_000 }, async () => {
    const { stack } = setup;
    const page = await setup.newPage();
    await signInWithMake(page, stack.app.url);
    const cookie = await cookieHeader(page.context(), stack.app.url);

    const counts: number[] = [];
    for (let round = 0; round < 4; round++) {
      const { samples } = await runLoad({
        url: `${stack.app.url}/dashboard`,
        headers: { cookie },
        concurrency: 16,
        requests: 1_000,
        check: (status, body) => status === 200 && body.includes('data-connection-state="active"'),
      });
      expect(samples.filter((sample) => !sample.ok)).toEqual([]);
      counts.push((await liveObjects(stack.app)).responses);
    }
    // What is alive besides the requests in flight: keep-alive sockets' last responses, a few of Next's own.
    expect(Math.max(...counts), `responses alive after each 1,000 views: ${counts.join(", ")}`).toBeLessThan(
      100,
    );
  });
});
