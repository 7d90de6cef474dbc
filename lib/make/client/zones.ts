/**
 * Where Make's REST API lives for a zone: MAKE_API_URL (`https://{zone}/api/v2` by default) filled with the
 * organization's zone host, accepted only if it is Make's own or a configured one, since the user's token
 * goes there (docs/architecture.md). Edit it to change how a zone becomes a URL or which hosts are Make's.
 * @see https://developers.make.com/api-documentation/getting-started/resources
 */

import { isLoopbackHost } from "@/lib/loopback";

/** The three fields `@makehq/sdk` builds its base URL from: `${protocol}://${zone}/api/v${version}`. */
export interface ZoneEndpoint {
  protocol: "http" | "https";
  /** Host, plus any path prefix in front of `/api/v<n>`. */
  host: string;
  version: number;
  /** The filled-in base URL, for logs and error messages. */
  baseUrl: string;
}

const API_PATH = /\/api\/v(\d+)\/?$/;
/** Make's zone hosts (eu1.make.com, us2.make.celonis.com…): DNS names only, no port. */
const MAKE_ZONE_HOST = /^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+make\.(com|celonis\.com)$/;

export class ForbiddenZoneError extends Error {
  constructor(zone: string) {
    super(
      `Refusing to call Make at zone ${JSON.stringify(zone)}: not a Make zone host (*.make.com, *.make.celonis.com), ` +
        "MAKE_DEFAULT_ZONE or one of MAKE_ZONE_HOSTS",
    );
    this.name = "ForbiddenZoneError";
  }
}

/**
 * Whether `zone` may receive a user's token: exactly a host (no userinfo, path, query or unconfigured
 * port) that is one of Make's zone hosts or one of `configured` (MAKE_DEFAULT_ZONE, MAKE_ZONE_HOSTS).
 */
export function allowedZoneHost(zone: string, configured: readonly string[]): boolean {
  const host = zone.toLowerCase();
  if (configured.some((entry) => entry.toLowerCase() === host)) return true;
  return MAKE_ZONE_HOST.test(host);
}

export function zoneEndpoint(
  zone: string,
  template: string,
  configuredZones: readonly string[],
): ZoneEndpoint {
  if (!isPinnedToOneZone(template) && !allowedZoneHost(zone, configuredZones)) {
    throw new ForbiddenZoneError(zone);
  }
  const url = new URL(template.replace("{zone}", zone));
  // `http://{zone}` serves the local stand-in; a token never goes over plain http to any other host.
  if (url.protocol === "http:" && !isLoopbackHost(url.hostname)) throw new ForbiddenZoneError(zone);
  const version = API_PATH.exec(url.pathname);
  if (!version || (url.protocol !== "https:" && url.protocol !== "http:")) {
    throw new TypeError(`MAKE_API_URL must be an http(s) URL ending in /api/v2, got ${template}`);
  }
  const prefix = url.pathname.slice(0, version.index);
  return {
    protocol: url.protocol === "http:" ? "http" : "https",
    host: `${url.host}${prefix}`,
    version: Number(version[1]),
    baseUrl: `${url.origin}${prefix}/api/v${version[1]}`,
  };
}

/** True when MAKE_API_URL sends every zone to the same origin (no `{zone}` in it). */
export const isPinnedToOneZone = (template: string) => !template.includes("{zone}");
