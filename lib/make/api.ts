/**
 * A small typed client for Make's REST API, called with the user's OAuth access token as a Bearer header.
 * The base URL is MAKE_API_URL when set, else the zone of the user's organization when known, else eu1.
 * @see https://developers.make.com/api-documentation
 */
import "server-only";
import { env } from "@/lib/env";

const DEFAULT_ZONE = "eu1.make.com";

export interface MakeOrganization {
  id: number;
  name: string;
  zone: string;
}

export interface MakeUser {
  id: number;
  name?: string;
  email?: string;
  timezone?: string;
  locale?: string;
}

export const makeApiBase = (zone?: string) => env.MAKE_API_URL ?? `https://${zone ?? DEFAULT_ZONE}/api/v2`;

export class MakeApiError extends Error {
  override name = "MakeApiError";
  constructor(readonly status: number, path: string) {
    super(`Make API ${path} answered ${status}`);
  }
}

async function getJson<T>(accessToken: string, path: string, zone?: string): Promise<T> {
  const response = await fetch(`${makeApiBase(zone)}${path}`, {
    headers: { authorization: `Bearer ${accessToken}`, accept: "application/json" },
    signal: AbortSignal.timeout(env.MAKE_TOKEN_TIMEOUT_MS),
    cache: "no-store",
  });
  if (!response.ok) throw new MakeApiError(response.status, path);
  return (await response.json()) as T;
}

export async function listOrganizations(accessToken: string): Promise<MakeOrganization[]> {
  const body = await getJson<{ organizations?: MakeOrganization[] }>(accessToken, "/organizations");
  return body.organizations ?? [];
}

export async function currentMakeUser(accessToken: string, zone?: string): Promise<MakeUser | undefined> {
  const body = await getJson<{ authUser?: MakeUser }>(accessToken, "/users/me", zone);
  return body.authUser;
}
