/**
 * The one way this app calls Make's REST API: Make's own SDK (`@makehq/sdk`) with the user's access token
 * from getMakeAccessToken, sent to the zone the data lives in (lib/make/zones.ts), every request cut off
 * after MAKE_TOKEN_TIMEOUT_MS, failures as MakeApiError (lib/make/errors.ts). It needs a user id only, so
 * it works the same in a page, a route, a server action, a cron job or a script:
 *
 *   const api = await MakeApi.forUser(userId);
 *   const teams = await api.call((make) => make.teams.list(org.id), { zone: org.zone, scope: "teams:read" });
 *
 * A 401 gets one forced token renewal and one retry, then the connection needs the user (reauth_required).
 * A 429 is retried once when Make's Retry-After is short; otherwise the organization is left alone until
 * then, in this process, and the caller gets the error with the time to wait.
 * @see https://developers.make.com/api-documentation
 */
import "server-only";
import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { Make } from "@makehq/sdk";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { fetchUserinfo } from "@/lib/make/authorization-server";
import type { MakeAccessToken } from "@/lib/make/connection";
import {
  MakeApiError,
  MakeConnectionError,
  makeApiErrorFromException,
  makeApiErrorFromResponse,
} from "@/lib/make/errors";
import { getMakeAccessToken, markAccessTokenRefused, renewRejectedAccessToken } from "@/lib/make/refresh";
import { forgetPreloadedConnection, preloadedConnectionRow } from "@/lib/make/status";
import { traced } from "@/lib/make/tracing";
import { ForbiddenZoneError, zoneEndpoint } from "@/lib/make/zones";

/** The longest Retry-After worth waiting out inside a page request; longer waits go back to the user. */
const MAX_RETRY_AFTER_SECONDS = 2;

/** The SDK bound to one zone: its own URL fields, a timeout on every request, Make's error bodies kept. */
class ZoneClient extends Make {
  constructor(
    accessToken: string,
    private readonly zoneName: string,
    private readonly requiredScope?: string,
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
          signal: AbortSignal.timeout(env.MAKE_TOKEN_TIMEOUT_MS),
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
    return makeApiErrorFromResponse(response, this.requiredScope);
  }
}

/** The client for a zone; a zone host this app does not call fails the call and sends nothing. */
function zoneClient(
  accessToken: string,
  zone: string,
  requiredScope?: string,
  organizationId?: number,
): ZoneClient {
  try {
    return new ZoneClient(accessToken, zone, requiredScope, organizationId);
  } catch (error) {
    if (!(error instanceof ForbiddenZoneError)) throw error;
    log.error(error.message, { zone });
    throw new MakeApiError(null, { message: "Make named a zone this app does not call" }, { cause: error });
  }
}

export interface MakeCallOptions {
  /** The zone the data lives in (an organization's `zone`); user-level data comes from MAKE_DEFAULT_ZONE. */
  zone?: string;
  /** The scope the call needs, named to the user when Make answers 403 without naming one. */
  scope?: string;
  /** The organization whose request budget the call spends (Make limits per organization). */
  organizationId?: number;
}

/** Organizations Make said are over their limit, until when (epoch ms), so a reload does not hammer them. */
const limitedUntil = new Map<string, number>();

const asMakeApiError = (error: unknown) =>
  error instanceof MakeApiError || error instanceof MakeConnectionError
    ? error
    : makeApiErrorFromException(error);

export class MakeApi {
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

  /** The OpenID Connect userinfo claims (from the authorization server, not a zone), `sub` checked. */
  userinfo() {
    return fetchUserinfo(this.token.accessToken, this.token.sub);
  }

  async call<T>(run: (make: Make) => Promise<T>, options: MakeCallOptions = {}): Promise<T> {
    try {
      return await this.attempt(run, options);
    } catch (error) {
      if (!(error instanceof MakeApiError && error.kind === "unauthorized")) throw error;
    }
    forgetPreloadedConnection(this.userId);
    this.token = await renewRejectedAccessToken(this.userId, this.token.accessToken);
    try {
      return await this.attempt(run, options);
    } catch (error) {
      if (!(error instanceof MakeApiError && error.kind === "unauthorized")) throw error;
      return markAccessTokenRefused(this.userId, this.token.accessToken);
    }
  }

  private async attempt<T>(run: (make: Make) => Promise<T>, options: MakeCallOptions): Promise<T> {
    const zone = options.zone ?? env.MAKE_DEFAULT_ZONE;
    const budget = options.organizationId === undefined ? undefined : `${zone}/${options.organizationId}`;
    const waitMs = budget ? (limitedUntil.get(budget) ?? 0) - Date.now() : 0;
    if (waitMs > 0) {
      const message = "Requests limit for organization exceeded";
      throw new MakeApiError(429, { message }, { retryAfterSeconds: Math.ceil(waitMs / 1000) });
    }
    const client = zoneClient(this.token.accessToken, zone, options.scope, options.organizationId);
    try {
      return await run(client);
    } catch (caught) {
      const error = asMakeApiError(caught);
      if (!(error instanceof MakeApiError) || error.kind !== "rate_limited") throw error;
      const retryAfter = error.retryAfterSeconds ?? 60;
      if (retryAfter > MAX_RETRY_AFTER_SECONDS) {
        if (budget) limitedUntil.set(budget, Date.now() + retryAfter * 1000);
        throw error;
      }
      await sleep(retryAfter * 1000);
      return run(client).catch((again: unknown) => {
        const failure = asMakeApiError(again);
        if (budget && failure instanceof MakeApiError && failure.kind === "rate_limited") {
          limitedUntil.set(budget, Date.now() + (failure.retryAfterSeconds ?? 60) * 1000);
        }
        throw failure;
      });
    }
  }
}
