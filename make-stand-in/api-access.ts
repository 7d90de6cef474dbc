/**
 * Who may call the stand-in's Make API, and about which organization: bearer tokens are looked up in
 * oidc-provider's storage (expired and revoked ones are refused), a call about an organization must reach
 * that organization's zone, stay inside an organization-bound consent, and fit the organization's budget.
 */
import type { IncomingMessage } from "node:http";
import type Provider from "oidc-provider";

import { organizationsOf, type CatalogOrganization } from "./catalog";
import type { StandInState } from "./controls";
import { notFound, permissionDenied, rateLimited, unauthorized, wrongZone } from "./api-errors";

export interface ZoneContext {
  /** The zone host this request arrived on (the issuer's origin counts as the first zone). */
  zone: string;
  /** Zone hosts by slot. */
  zones: readonly string[];
  issuer: string;
  state: StandInState;
  provider(): Provider;
}

export interface Caller {
  sub: string;
  scopes: ReadonlySet<string>;
  /** Set when the grant came from an organization-bound consent: the one organization it reaches. */
  organizationId?: number;
}

export const zoneOf = (organization: CatalogOrganization, context: ZoneContext) =>
  context.zones[organization.zoneSlot]!;

export async function authenticate(context: ZoneContext, req: IncomingMessage): Promise<Caller> {
  // A zone switched to reject www.make.com's tokens answers as if every token were invalid.
  if (context.state.config.rejectingZones.includes(context.zone)) throw unauthorized();
  const match = /^Bearer ([^\s]+)$/i.exec(req.headers.authorization ?? "");
  const token = match?.[1] ? await context.provider().AccessToken.find(match[1]) : undefined;
  if (!token || !token.accountId) throw unauthorized();
  const bound = token.grantId ? context.state.consentOrganizations.get(token.grantId) : undefined;
  return { sub: token.accountId, scopes: token.scopes, organizationId: bound };
}

/** The organization a call is about, checked against the caller, the zone, the consent and the budget. */
export function organizationInZone(
  caller: Caller,
  organizationId: number,
  context: ZoneContext,
): CatalogOrganization {
  const organization = organizationsOf(caller.sub).find((candidate) => candidate.id === organizationId);
  if (!organization) throw notFound(`Organization ${organizationId} not found`);
  if (zoneOf(organization, context) !== context.zone)
    throw wrongZone(organizationId, zoneOf(organization, context));
  if (caller.organizationId !== undefined && caller.organizationId !== organization.id)
    throw permissionDenied();
  // Make limits calls per organization and minute, whichever zone origin they reach.
  const retryAfter = context.state.spendApiBudget(organization.id);
  if (retryAfter !== undefined)
    throw rateLimited(context.state.config.retryAfterOn429 ? retryAfter : undefined);
  return organization;
}

/** What a route handler gets: the caller, the query, the `:name` segments of its path, the JSON body. */
export interface ApiRequest {
  caller: Caller;
  query: URLSearchParams;
  params: Readonly<Record<string, string>>;
  body: unknown;
  context: ZoneContext;
}
