/**
 * The Make identity the dashboard shows: what Make's userinfo and organizations endpoints said, or why they
 * could not be asked. Loaded by the dashboard's data module, rendered by components/identity-card.tsx.
 */
import type { MakeOrganization } from "@/lib/make/calls";
import type { ConnectionUnavailableReason } from "@/lib/tokens/errors";

export type MakeIdentity =
  | { ok: true; claims: Record<string, unknown>; organizations: MakeOrganization[] }
  | { ok: false; reason: ConnectionUnavailableReason | "make_error" };
