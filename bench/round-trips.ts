/**
 * Database round trips per /dashboard request, counted on the wire by bench/pg-proxy.ts. A second server
 * of the same build is started with its DATABASE_URL pointing at the proxy, so the proxy's extra hop never
 * touches the timed measurements. Requests are sent one at a time, so every round trip seen between a
 * request's start and end belongs to it; the revocation sweep (every 30 s) can still land in one, so the
 * figure reported is the most frequent count over several requests.
 */
import { dashboardIsHealthy } from "./page-cost";
import { startPgProxy, type RoundTrip } from "./pg-proxy";
import { makeTokenDue, type BenchStack } from "./stack";

export interface RequestRoundTrips {
  /** The most frequent count over the requests measured. */
  count: number;
  samples: number[];
  /** The round trips of one request with that count, in the order they were sent. */
  example: RoundTrip[];
  /** Connections the server opened meanwhile (each costs round trips of its own, not counted above). */
  connectionsOpened: number;
}

export interface RoundTripReport {
  fresh: RequestRoundTrips;
  refresh: RequestRoundTrips;
  /** Refresh grants the stand-in saw per refreshing request (expected: 1). */
  refreshGrants: number[];
  opaque: boolean;
}

export async function measureRoundTrips(
  stack: BenchStack,
  cookie: string,
  userId: string,
  options = { fresh: 15, refresh: 5 },
): Promise<RoundTripReport> {
  const proxy = await startPgProxy(stack.database.url);
  const app = await stack.startApp({ databaseUrl: proxy.url });
  try {
    const dashboard = async () => {
      const before = proxy.roundTrips.length;
      const response = await fetch(`${app.url}/dashboard`, { headers: { cookie }, redirect: "manual" });
      const body = await response.text();
      if (!dashboardIsHealthy(response.status, body)) {
        throw new Error(`GET /dashboard through the counting proxy answered ${response.status}`);
      }
      return proxy.roundTrips.slice(before);
    };
    // Warm-up: compiles the route, opens pool connections, fills Prisma's caches.
    for (let i = 0; i < 5; i++) await dashboard();
    const opened = proxy.connectionsOpened();

    const fresh: RoundTrip[][] = [];
    for (let i = 0; i < options.fresh; i++) fresh.push(await dashboard());
    const openedFresh = proxy.connectionsOpened();

    const refresh: RoundTrip[][] = [];
    const refreshGrants: number[] = [];
    for (let i = 0; i < options.refresh; i++) {
      await makeTokenDue(stack, userId);
      const grants = stack.makeStandIn.controls.stats().grants.refresh_token;
      refresh.push(await dashboard());
      refreshGrants.push(stack.makeStandIn.controls.stats().grants.refresh_token - grants);
    }
    return {
      fresh: mostFrequent(fresh, openedFresh - opened),
      refresh: mostFrequent(refresh, proxy.connectionsOpened() - openedFresh),
      refreshGrants,
      opaque: proxy.opaque(),
    };
  } finally {
    await app.close();
    await proxy.close();
  }
}

function mostFrequent(requests: RoundTrip[][], connectionsOpened: number): RequestRoundTrips {
  const samples = requests.map((request) => request.length);
  const tally = new Map<number, number>();
  for (const count of samples) tally.set(count, (tally.get(count) ?? 0) + 1);
  const count = [...tally].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]![0];
  return {
    count,
    samples,
    example: requests.find((request) => request.length === count)!,
    connectionsOpened,
  };
}
