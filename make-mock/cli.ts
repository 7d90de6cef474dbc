/**
 * `npm run make:mock`: runs the local Make stand-in on its own.
 *
 * Environment: MAKE_MOCK_PORT (default 4010; the two zones' API on the next two ports), MAKE_MOCK_HOST (default 127.0.0.1),
 * MAKE_MOCK_ISSUER, MAKE_MOCK_REDIRECT_URIS (comma-separated),
 * MAKE_MOCK_ACCESS_TOKEN_TTL (seconds), MAKE_MOCK_QUIET=1 to silence request logs.
 */
import { MOCK_CLIENTS, MOCK_USERS, startMakeMock } from "./server";

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
  const redirectUris = process.env.MAKE_MOCK_REDIRECT_URIS?.split(",")
    .map((uri) => uri.trim())
    .filter(Boolean);

  const mock = await startMakeMock({
    port: integerFromEnv("MAKE_MOCK_PORT", 4010),
    host: process.env.MAKE_MOCK_HOST?.trim() || undefined,
    issuer: process.env.MAKE_MOCK_ISSUER?.trim() || undefined,
    redirectUris: redirectUris?.length ? redirectUris : undefined,
    accessTokenTtl: integerFromEnv("MAKE_MOCK_ACCESS_TOKEN_TTL", undefined),
    quiet: process.env.MAKE_MOCK_QUIET === "1",
  });

  console.log(`
Local Make stand-in running
  issuer (AUTH_MAKE_ISSUER)  ${mock.issuer}
  listening on               ${mock.url}
  confidential client        AUTH_MAKE_ID=${MOCK_CLIENTS.confidential.clientId} AUTH_MAKE_SECRET=${MOCK_CLIENTS.confidential.clientSecret}
  public client (PKCE)       AUTH_MAKE_ID=${MOCK_CLIENTS.public.clientId}
  Make API zones             ${mock.zones.join(", ")} (MAKE_API_URL=http://{zone}/api/v2, MAKE_DEFAULT_ZONE=${mock.zones[0]})
  test users (login / password):
${MOCK_USERS.map((user) => `    ${user.login} / ${user.password}  (sub ${user.sub})`).join("\n")}
  controls                   ${mock.url}/__mock/stats, /__mock/config, /__mock/fail, /__mock/tamper, /__mock/reset, /__mock/rotate-keys
`);

  const stop = (signal: string) => {
    console.log(`[make-mock] ${signal} received, stopping`);
    mock.close().then(
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
  console.error("[make-mock] failed to start:", error instanceof Error ? error.message : error);
  process.exit(1);
});
