/** Why no Make access token can be handed out right now. The dashboard turns these into words. */
export type ConnectionUnavailableReason =
  "not_connected" | "reauth_required" | "revoked" | "make_unavailable" | "refresh_busy";

export class MakeConnectionError extends Error {
  override name = "MakeConnectionError";
  constructor(
    readonly reason: ConnectionUnavailableReason,
    message: string,
  ) {
    super(message);
  }
}
