/**
 * The local Make stand-in: oidc-provider configured like Make's OAuth/OIDC
 * server, the login and consent pages and test switches on one node:http
 * server, and Make's REST API on one more origin per zone (two zones; the
 * issuer's origin also answers the API, as the first zone).
 *
 *   const standIn = await startMakeStandIn({ port: 0, quiet: true });
 *   standIn.zones; // ["127.0.0.1:41234", "127.0.0.1:41235"], for MAKE_API_URL=http://{zone}/api/v2
 *   standIn.controls.fail({ endpoint: "token", mode: "invalid_grant", times: 1 });
 *   await standIn.close();
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type Provider from "oidc-provider";

import { DEFAULT_REDIRECT_URIS } from "./clients";
import { clientSwitches, defaultConfig, type MakeStandInConfig } from "./config";
import { CONTROL_PREFIX, handleControlApi } from "./control-api";
import { createControls, StandInState, type MakeStandInControls } from "./controls";
import { escapeHtml, page } from "./html";
import { HttpError, sendHtml, sendJson } from "./http-utils";
import { handleInteraction } from "./interactions";
import { createCookieKeys, createSigningKey, type SigningJwk } from "./keys";
import { handleMakeApi, isMakeApiPath } from "./make-api";
import { createMemoryStore } from "./memory-store";
import { handleOidc } from "./oidc-gate";
import { createProvider } from "./provider";
import { avatarSvg } from "./users";

export { STAND_IN_CLIENTS } from "./clients";
export { NUMBERED_USERS, numberedUserLogin, numberedUserSub, STAND_IN_USERS } from "./users";
export { SHARED_ORGANIZATION_ID } from "./catalog";
export type {
  FailSpec,
  MakeStandInConfig,
  MakeStandInControls,
  MakeStandInStats,
  RefreshTokenUse,
  ScenarioRun,
} from "./controls";
export type { IdTokenTamper } from "./id-token-tamper";
export type { TamperSpec } from "./tamper";

export interface MakeStandInOptions {
  /** Default 4010; 0 = a random free port. */
  port?: number;
  /** Listen address, default "127.0.0.1". */
  host?: string;
  /** Default `http://localhost:${actualPort}`. */
  issuer?: string;
  /** Registered for both clients. */
  redirectUris?: string[];
  /** Ports of the two zones' API origins; default the two ports after `port` (both random when `port` is 0). */
  zonePorts?: [number, number];
  /** Seconds, default 300 (Make's documented lifetime); can be changed at run time through the controls. */
  accessTokenTtl?: number;
  /** Switches that hold from the start and survive `controls.reset()`. */
  config?: Partial<MakeStandInConfig>;
  quiet?: boolean;
}

export interface MakeStandIn {
  issuer: string;
  /** Where the server actually listens (may differ from the issuer's host). */
  url: string;
  port: number;
  /** Zone hosts (`127.0.0.1:<port>`) by slot: organizations live in these, each served on its own origin. */
  zones: string[];
  controls: MakeStandInControls;
  close(): Promise<void>;
}

export async function startMakeStandIn(options: MakeStandInOptions = {}): Promise<MakeStandIn> {
  const host = options.host ?? "127.0.0.1";
  const log = options.quiet ? () => {} : (line: string) => console.log(`[make-stand-in] ${line}`);
  const state = new StandInState({ ...defaultConfig(options.accessTokenTtl), ...options.config });
  const store = createMemoryStore();
  const cookieKeys = createCookieKeys();
  let keys: SigningJwk[] = [await createSigningKey()];
  const hanging = new Set<ServerResponse>();

  // Built once the port (and so the issuer) is known; rebuilt on key rotation and when a switch that
  // lives in client metadata changes (oidc-provider fixes both at construction).
  let provider: Provider | undefined;
  let providerCallback: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  let builtForClients = "";

  const controls = createControls(state, async (options) => {
    // oidc-provider fixes its keystore at construction, so rotating means a new
    // Provider over the same store, cookie keys and clients, newest key first.
    const key = await createSigningKey();
    keys = options?.retireOld ? [key] : [key, ...keys];
    buildProvider();
    log(`signing key rotated, now signing with kid ${key.kid}`);
    return { kid: key.kid };
  });

  /** Logs each request and turns a thrown error into an HTML page (interactions) or a JSON answer. */
  const handle =
    (route: (req: IncomingMessage, res: ServerResponse) => Promise<void>, label = "") =>
    (req: IncomingMessage, res: ServerResponse) => {
      const started = Date.now();
      res.on("finish", () =>
        log(`${label}${req.method} ${req.url} -> ${res.statusCode} (${Date.now() - started} ms)`),
      );
      route(req, res).catch((error: unknown) => {
        const status = error instanceof HttpError ? error.status : 500;
        if (status === 500) console.error("[make-stand-in] request failed:", error);
        if (res.headersSent) return void res.destroy();
        const message = error instanceof HttpError ? error.message : "internal error";
        if (req.url?.startsWith("/interaction/"))
          sendHtml(res, status, page("Error", `<p>${escapeHtml(message)}</p>`));
        else
          sendJson(res, status, {
            error: status === 500 ? "server_error" : "invalid_request",
            error_description: message,
          });
      });
    };

  const server = createServer(handle(route));
  const port = await listen(server, options.port ?? 4010, host);
  const zoneServers = [createServer(), createServer()];
  const zonePorts = options.zonePorts ?? (options.port === 0 ? [0, 0] : [port + 1, port + 2]);
  const zones: string[] = [];
  for (const [slot, zoneServer] of zoneServers.entries()) {
    zones.push(
      `${host.includes(":") ? `[${host}]` : host}:${await listen(zoneServer, zonePorts[slot]!, host)}`,
    );
  }
  zoneServers.forEach((zoneServer, slot) =>
    zoneServer.on(
      "request",
      handle((req, res) => routeZone(zones[slot]!, req, res), `[${zones[slot]}] `),
    ),
  );
  const issuer = options.issuer ?? `http://localhost:${port}`;
  const redirectUris = options.redirectUris ?? [...DEFAULT_REDIRECT_URIS];

  function buildProvider(): void {
    builtForClients = clientSwitches(state.config);
    const next = createProvider({ issuer, redirectUris, state, store, keys, cookieKeys });
    next.on("server_error", (_ctx, error) => console.error("[make-stand-in] oidc-provider error:", error));
    provider = next;
    providerCallback = next.callback();
  }
  buildProvider();

  const current = (): Provider => {
    if (!provider) throw new HttpError(503, "the stand-in is starting");
    if (clientSwitches(state.config) !== builtForClients) buildProvider();
    return provider;
  };

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://make-stand-in.invalid").pathname;
    if (path.startsWith(CONTROL_PREFIX)) return handleControlApi(controls, req, res, path);
    if (path.startsWith("/interaction/")) return handleInteraction(current(), state, req, res, path);
    if (isMakeApiPath(path)) return handleMakeApi(zoneContext(zones[0]!), req, res, path);
    // Browsers ask every origin for a favicon; the login page has none to show.
    if (path === "/favicon.ico") return void res.writeHead(204).end();
    const avatar = /^\/avatars\/([\w-]+)\.svg$/.exec(path);
    if (avatar?.[1]) return sendAvatar(res, avatar[1]);
    return handleOidc(
      {
        state,
        hanging,
        provider: current,
        forward: (request, response) => {
          current();
          providerCallback!(request, response);
        },
      },
      req,
      res,
      path,
    );
  }

  async function routeZone(zone: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://make-stand-in.invalid").pathname;
    if (!isMakeApiPath(path)) return sendJson(res, 404, { message: "Not found", code: "SC404" });
    return handleMakeApi(zoneContext(zone), req, res, path);
  }

  function zoneContext(zone: string) {
    return { zone, zones, issuer, state, provider: current };
  }

  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  log(`listening on ${url}, issuer ${issuer}, zones ${zones.join(", ")}`);

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= new Promise<void>((resolve, reject) => {
      for (const zoneServer of zoneServers) {
        zoneServer.close();
        zoneServer.closeAllConnections();
      }
      server.close((error) => (error ? reject(error) : resolve()));
      // Ends keep-alive sockets and the requests a "hang" failure left open.
      for (const res of hanging) res.destroy();
      hanging.clear();
      server.closeAllConnections();
    }));

  return { issuer, url, port, zones, controls, close };
}

async function listen(server: Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

function sendAvatar(res: ServerResponse, login: string): void {
  const svg = avatarSvg(login);
  if (!svg) return sendJson(res, 404, { error: "not_found" });
  res.writeHead(200, {
    "content-type": "image/svg+xml; charset=utf-8",
    "cache-control": "public, max-age=3600",
  });
  res.end(svg);
}
