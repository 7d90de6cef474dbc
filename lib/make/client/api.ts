/**
 * The one way this app calls Make's REST API: `MakeApi.forUser(userId)` is Make's SDK with a valid access
 * token, sent to the organization's zone within TOKEN_TIMEOUT_MS, spending its budget, a 401 renewed once,
 * failures as MakeApiError (docs/architecture.md). Edit it to change how every call is sent; calls: calls.ts.
 * @see https://developers.make.com/api-documentation
 */
import "server-only";
import { createHash } from "node:crypto";
import { Make } from "@makehq/sdk";
import { z } from "zod";
import { env } from "@/lib/env";
import { errorMessage, log } from "@/lib/log";
import { fetchUserinfo, TOKEN_TIMEOUT_MS } from "@/lib/make/connection/authorization-server";
import type { MakeAccessToken } from "@/lib/make/connection/state";
import { sleep } from "@/lib/timeouts";
import { parseMakeAnswer } from "@/lib/make/client/answer";
import { cachedMakeAnswer } from "@/lib/make/client/cache";
import {
  MakeApiError,
  MakeConnectionError,
  makeApiErrorFromException,
  makeApiErrorFromResponse,
} from "@/lib/make/connection/errors";
import {
  getMakeAccessToken,
  markAccessTokenRefused,
  renewRejectedAccessToken,
} from "@/lib/make/connection/refresh";
import { forgetPreloadedConnection, preloadedConnectionRow } from "@/lib/make/connection/status";
import {
  API_BUDGET_WINDOW_SECONDS,
  budgetKeyOf,
  exhaustBudget,
  reserveCalls,
  withinInFlightCap,
  type BudgetKey,
} from "@/lib/make/client/budget";
import { traced } from "@/lib/make/connection/tracing";
import { ForbiddenZoneError, zoneEndpoint } from "@/lib/make/client/zones";

/** The longest Retry-After worth waiting out inside a page request; longer waits go back to the user. */
const MAX_RETRY_AFTER_SECONDS = 2;

/** The SDK bound to one zone: its own URL fields, a timeout on every request, Make's error bodies kept. */
class ZoneClient extends Make {
  constructor(
    accessToken: string,
    private readonly zoneName: string,
    private readonly organizationId?: number,
  ) {
    const endpoint = zoneEndpoint(zoneName, env.MAKE_API_URL, [
      env.MAKE_DEFAULT_ZONE,
      ...env.MAKE_ZONE_HOSTS,
    ]);
    // Retries are decided in MakeApi.call (one, bounded): the SDK's own would wait at most maxDelay and
    // then retry even when Make asked for longer, spending the organization's budget again.
    super(accessToken, endpoint.host, { version: endpoint.version, retry: { maxRetries: 0 } });
    this.protocol = endpoint.protocol;
  }

  protected override handleRequest(url: string, options?: RequestInit): Promise<Response> {
    const attributes = {
      "make.zone": this.zoneName,
      "make.organization_id": this.organizationId,
      "http.request.method": options?.method ?? "GET",
      "url.path": new URL(url).pathname,
    };
    return traced("make.api", attributes, async (span) => {
      const started = performance.now();
      try {
        const response = await fetch(url, {
          ...options,
          cache: "no-store",
          signal: AbortSignal.timeout(TOKEN_TIMEOUT_MS),
        });
        span.setAttribute("http.response.status_code", response.status);
        return response;
      } catch (error) {
        throw makeApiErrorFromException(error);
      } finally {
        span.setAttribute("make.duration_ms", Math.round(performance.now() - started));
      }
    });
  }

  protected override handleError(response: Response): Promise<MakeApiError> {
    return makeApiErrorFromResponse(response);
  }
}

/** The client for a zone; a zone host this app does not call fails the call and sends nothing. */
function zoneClient(accessToken: string, zone: string, organizationId?: number): ZoneClient {
  try {
    return new ZoneClient(accessToken, zone, organizationId);
  } catch (error) {
    if (!(error instanceof ForbiddenZoneError)) throw error;
    log.error(error.message, { zone });
    throw new MakeApiError(null, { message: "Make named a zone this app does not call" }, { cause: error });
  }
}

export interface MakeCallOptions {
  /** The zone the data lives in (an organization's `zone`); user-level data comes from MAKE_DEFAULT_ZONE. */
  zone?: string;
  /** The scope the call needs: on a 403, "Grant access" is offered only when the grant lacks it. */
  scope?: string;
  /** The organization whose request budget the call spends (Make limits per organization), in `zone`. */
  organizationId?: number;
}

const asMakeApiError = (error: unknown) =>
  error instanceof MakeApiError || error instanceof MakeConnectionError
    ? error
    : makeApiErrorFromException(error);

const isUnauthorized = (error: unknown) => error instanceof MakeApiError && error.kind === "unauthorized";

export class MakeApi {
  /** Calls reserved for this client in Make's per-organization budget and not spent yet, by budget key. */
  private readonly allowance = new Map<string, number>();
  /** When a reservation was refused: the seconds to wait, by budget key. */
  private readonly refusedFor = new Map<string, number>();

  private constructor(
    readonly userId: string,
    private token: MakeAccessToken,
  ) {}

  /**
   * The client for one user. Throws MakeConnectionError when no usable token can be had (not connected,
   * reconnect needed, Make down…). Within a request whose session read saw the account, a fresh token
   * costs no query.
   */
  static async forUser(userId: string): Promise<MakeApi> {
    return new MakeApi(userId, await getMakeAccessToken(userId, preloadedConnectionRow(userId)));
  }

  /** Names the access token without revealing it: a cache key that changes with every refresh or reconnect. */
  get tokenKey(): string {
    return createHash("sha256").update(this.token.accessToken).digest("base64url");
  }

  get sub(): string {
    return this.token.sub;
  }

  /** When the access token expires (epoch seconds). */
  get expiresAt(): number {
    return this.token.expiresAt;
  }

  /** A cache key for an answer given to this token (client/cache.ts): a refresh or reconnect starts afresh. */
  cacheKey(what: string): string {
    return `${this.userId}:${this.tokenKey}:${what}`;
  }

  /** The scopes this access token really has: Make's token responses do not say. */
  async grantedScopes(): Promise<string[]> {
    const body = await this.call((make) => make.fetch("/users/me/current-authorization"));
    const what = "GET /users/me/current-authorization";
    return parseMakeAnswer(currentAuthorization, what, body).authorization.scope ?? [];
  }

  /** The granted scopes, asked once per token and process (client/cache.ts), for pages and the 403 check. */
  cachedGrantedScopes(): Promise<string[]> {
    return cachedMakeAnswer(this.cacheKey("scopes"), () => this.grantedScopes());
  }

  /** The OpenID Connect userinfo claims (from the authorization server, not a zone), `sub` checked. */
  userinfo() {
    return fetchUserinfo(this.token.accessToken, this.token.sub);
  }

  /**
   * Reserves calls in Make's per-organization budget ahead of a page's calls, every organization in one
   * database round trip, within this user's fair share; calls with an `organizationId` spend these first
   * and reserve one by one after.
   */
  async reserve(calls: Iterable<readonly [BudgetKey, number]>): Promise<void> {
    const asked = [...calls];
    const reserved = await reserveCalls(this.userId, asked).catch((error: unknown) => {
      // Pacing is a courtesy to Make: a database that cannot answer must not stop the calls themselves.
      log.error("could not reserve Make API budget", { error: errorMessage(error) });
      return new Map(asked.map(([key, granted]) => [budgetKeyOf(key), { granted, retryAfterSeconds: 0 }]));
    });
    for (const [key, count] of asked) {
      const name = budgetKeyOf(key);
      const { granted, retryAfterSeconds } = reserved.get(name) ?? { granted: 0, retryAfterSeconds: 0 };
      this.allowance.set(name, (this.allowance.get(name) ?? 0) + granted);
      if (granted < count) this.refusedFor.set(name, retryAfterSeconds);
    }
  }

  async call<T>(run: (make: Make) => Promise<T>, options: MakeCallOptions = {}): Promise<T> {
    const zone = options.zone ?? env.MAKE_DEFAULT_ZONE;
    try {
      return await this.attempt(run, options);
    } catch (error) {
      if (error instanceof MakeApiError && error.kind === "forbidden")
        throw await this.explainForbidden(error, options);
      if (!isUnauthorized(error)) throw error;
    }
    // A zone may refuse a token the rest of Make accepts: the default zone decides whether the token is dead.
    if (zone !== env.MAKE_DEFAULT_ZONE) {
      await this.call((make) => make.users.currentAuthorization());
      try {
        return await this.attempt(run, options);
      } catch (error) {
        if (!isUnauthorized(error)) throw error;
        throw zoneRefused(error as MakeApiError, zone);
      }
    }
    forgetPreloadedConnection(this.userId);
    this.token = await renewRejectedAccessToken(this.userId, this.token.accessToken);
    try {
      return await this.attempt(run, options);
    } catch (error) {
      if (!isUnauthorized(error)) throw error;
      return markAccessTokenRefused(this.userId, this.token.accessToken);
    }
  }

  /**
   * Make's 403 names no scope. "Grant access" can only help when current-authorization shows the scope
   * the call needs is missing; any other 403 is a permission this grant cannot have (a role, an
   * organization the consent did not include).
   */
  private async explainForbidden(error: MakeApiError, options: MakeCallOptions): Promise<MakeApiError> {
    if (error.missingScope || !options.scope) return error;
    const granted = await this.cachedGrantedScopes().catch(() => null);
    if (!granted || granted.includes(options.scope)) return error;
    return new MakeApiError(error.status, error.body, { ...error.details, missingScope: options.scope });
  }

  /** Spends one reserved call of the organization's budget, or reserves one; refused, a 429 with the wait. */
  private async spendBudget(key: BudgetKey): Promise<void> {
    const name = budgetKeyOf(key);
    const left = this.allowance.get(name) ?? 0;
    if (left > 0) {
      this.allowance.set(name, left - 1);
      return;
    }
    if (!this.refusedFor.has(name)) await this.reserve([[key, 1]]);
    const now = this.allowance.get(name) ?? 0;
    if (now > 0) {
      this.allowance.set(name, now - 1);
      return;
    }
    const retryAfterSeconds = this.refusedFor.get(name) ?? API_BUDGET_WINDOW_SECONDS;
    throw new MakeApiError(429, { message: RATE_LIMITED_MESSAGE }, { retryAfterSeconds, paced: true });
  }

  private async attempt<T>(run: (make: Make) => Promise<T>, options: MakeCallOptions): Promise<T> {
    const zone = options.zone ?? env.MAKE_DEFAULT_ZONE;
    const organizationId = options.organizationId;
    const client = zoneClient(this.token.accessToken, zone, options.organizationId);
    if (organizationId === undefined) return this.once(client, run);
    const key = { zone, organizationId };
    await this.spendBudget(key);
    return withinInFlightCap(key, async () => {
      try {
        return await this.once(client, run);
      } catch (error) {
        if (!(error instanceof MakeApiError) || error.kind !== "rate_limited") throw error;
        // Make's budget was spent by someone else too: every app server leaves the organization alone.
        const wait = await exhaustBudget(key).catch(() => API_BUDGET_WINDOW_SECONDS);
        const retryAfterSeconds = Math.max(error.retryAfterSeconds ?? 0, wait);
        this.refusedFor.set(budgetKeyOf(key), retryAfterSeconds);
        throw new MakeApiError(429, error.body, { ...error.details, retryAfterSeconds });
      }
    });
  }

  /** One request; a 429 whose Retry-After is short is waited out and tried once more. */
  private async once<T>(client: ZoneClient, run: (make: Make) => Promise<T>): Promise<T> {
    try {
      return await run(client);
    } catch (caught) {
      const error = asMakeApiError(caught);
      if (!(error instanceof MakeApiError) || error.kind !== "rate_limited") throw error;
      const retryAfter = error.retryAfterSeconds;
      if (retryAfter === undefined || retryAfter > MAX_RETRY_AFTER_SECONDS) throw error;
      await sleep(retryAfter * 1000);
      return run(client).catch((again: unknown) => {
        throw asMakeApiError(again);
      });
    }
  }
}

const currentAuthorization = z.looseObject({
  authorization: z.looseObject({ scope: z.array(z.string()).nullish() }),
});

const RATE_LIMITED_MESSAGE = "Requests limit for organization exceeded, please try again later.";

/** This zone refuses a token the default zone accepts: its organizations are out of reach, the rest works. */
const zoneRefused = (error: MakeApiError, zone: string) =>
  new MakeApiError(error.status, error.body, { ...error.details, zoneRefused: zone });
