/**
 * Where Make's REST API lives for a zone. MAKE_API_URL is a template (`https://{zone}/api/v2` by default)
 * filled with the zone host of the organization a call is for; a URL without `{zone}` pins every call to
 * one origin (a private instance, or a proxy). Edit this only to change how a zone becomes a URL.
 * @see https://developers.make.com/api-documentation/getting-started/resources
 */

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

export function zoneEndpoint(zone: string, template: string): ZoneEndpoint {
  const url = new URL(template.replace("{zone}", zone));
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
