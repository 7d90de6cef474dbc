/**
 * `npm run make:mock`: runs the local Make stand-in on its own.
 *
 * Environment: MAKE_STAND_IN_PORT (default 4010; the two zones' API on the next two ports), MAKE_STAND_IN_HOST (default 127.0.0.1),
 * MAKE_STAND_IN_ISSUER, MAKE_STAND_IN_REDIRECT_URIS (comma-separated),
 * MAKE_STAND_IN_ACCESS_TOKEN_TTL (seconds), MAKE_STAND_IN_QUIET=1 to silence request logs.
 */
import { NUMBERED_USERS, STAND_IN_CLIENTS, STAND_IN_USERS, startMakeStandIn } from "./server";

function integerFromEnv(name: string, fallback: number | undefined): number | undefined {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  }
  return value;
}

async function main(): Promise<void> {
  const redirectUris = process.env.MAKE_STAND_IN_REDIRECT_URIS?.split(",")
    .map((uri) => uri.trim())
    .filter(Boolean);

  const standIn = await startMakeStandIn({
    port: integerFromEnv("MAKE_STAND_IN_PORT", 4010),
    host: process.env.MAKE_STAND_IN_HOST?.trim() || undefined,
    issuer: process.env.MAKE_STAND_IN_ISSUER?.trim() || undefined,
    redirectUris: redirectUris?.length ? redirectUris : undefined,
    accessTokenTtl: integerFromEnv("MAKE_STAND_IN_ACCESS_TOKEN_TTL", undefined),
    quiet: process.env.MAKE_STAND_IN_QUIET === "1",
  });

  console.log(`
Local Make stand-in running
  issuer (AUTH_MAKE_ISSUER)  ${standIn.issuer}
  listening on               ${standIn.url}
  confidential client        AUTH_MAKE_ID=${STAND_IN_CLIENTS.confidential.clientId} AUTH_MAKE_SECRET=${STAND_IN_CLIENTS.confidential.clientSecret}
  public client (PKCE)       AUTH_MAKE_ID=${STAND_IN_CLIENTS.public.clientId}
  Make API zones             ${standIn.zones.join(", ")} (MAKE_API_URL=http://{zone}/api/v2, MAKE_DEFAULT_ZONE=${standIn.zones[0]})
  test users (login / password):
${STAND_IN_USERS.map((user) => `    ${user.login} / ${user.password}  (sub ${user.sub})`).join("\n")}
    user-1 … user-${NUMBERED_USERS} / password  (many users at once, one shared organization)
  controls                   ${standIn.url}/__stand-in/stats, /__stand-in/config, /__stand-in/fail, /__stand-in/tamper, /__stand-in/reset, /__stand-in/rotate-keys
`);

  const stop = (signal: string) => {
    console.log(`[make-stand-in] ${signal} received, stopping`);
    standIn.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", () => stop("SIGINT"));
  process.once("SIGTERM", () => stop("SIGTERM"));
}

main().catch((error: unknown) => {
  console.error("[make-stand-in] failed to start:", error instanceof Error ? error.message : error);
  process.exit(1);
});
