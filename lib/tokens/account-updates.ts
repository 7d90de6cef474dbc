/**
 * Field sets that several lifecycle steps write to the Make account row, named once so every step
 * clears exactly the same things.
 */

/** No token held: after revocation or when Make asks for the connection to be renewed. */
export const WITHOUT_TOKENS = {
  access_token: null,
  refresh_token: null,
  id_token: null,
  expires_at: null,
} as const;

/** No refresh in flight and nothing to retry: after a successful refresh or a new sign-in. */
export const HEALTHY = {
  lastError: null,
  lastErrorAt: null,
  nextRetryAt: null,
  refreshFailures: 0,
  refreshLeaseId: null,
  refreshLeaseUntil: null,
} as const;
