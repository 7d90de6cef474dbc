/**
 * The one place environment variables are read. Every variable is validated when the server starts
 * (instrumentation.ts imports this module), so a bad or missing value stops it with a message that names
 * the variable instead of failing later inside a request. `next build` validates as well wherever the
 * deployment's variables are present (next.config.mjs), so a misconfigured deployment does not build green.
 *
 * `npm run dev` (scripts/dev.ts) fills in the development defaults (embedded database, local Make
 * stand-in, a generated secret) before Next starts, so nothing here needs a development branch.
 * @see https://env.t3.gg/docs/nextjs
 */
import { createEnv } from "@t3-oss/env-nextjs";
import { z } from "zod";

const DEFAULT_SCOPE = "openid user:read organizations:read teams:read scenarios:read";

const postgresUrl = z.url({
  protocol: /^postgres(ql)?$/,
  error: "must be a postgresql:// connection string",
});

// The redirect proxy is Auth.js's base path on the stable deployment; Auth.js appends /callback/<provider>.
const redirectProxyUrl = z
  .url()
  .refine((url) => new URL(url).pathname.replace(/\/$/, "").endsWith("/api/auth"), {
    error: "must be the stable deployment's /api/auth URL, e.g. https://app.example.com/api/auth",
  });

// Vercel Cron sends it as a bearer token; it must be required where Vercel runs the cron job.
const cronSecret = z.string().min(16, "must be at least 16 random characters (openssl rand -hex 32)");

/** Make's REST API base: `{zone}` (in the host) is filled per call, e.g. https://{zone}/api/v2. */
const makeApiUrl = z.string().refine((value) => {
  if (!URL.canParse(value.replace("{zone}", "eu1.make.com"))) return false;
  const url = new URL(value.replace("{zone}", "eu1.make.com"));
  return /^https?:$/.test(url.protocol) && /\/api\/v\d+\/?$/.test(url.pathname);
}, "must be an http(s) URL ending in /api/v2, with {zone} where the zone host goes");

const booleanFlag = z
  .enum(["true", "false", "1", "0"], { error: "must be true or false" })
  .transform((value) => value === "true" || value === "1");

export const env = createEnv({
  server: {
    NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
    DATABASE_URL: postgresUrl,
    DATABASE_URL_UNPOOLED: postgresUrl.optional(),
    AUTH_SECRET: z.string().min(32, "must be at least 32 characters (generate one with `npx auth secret`)"),
    AUTH_URL: z.url().optional(),
    AUTH_REDIRECT_PROXY_URL: redirectProxyUrl.optional(),
    CRON_SECRET: process.env.VERCEL === "1" ? cronSecret : cronSecret.optional(),
    AUTH_MAKE_ISSUER: z.url({
      error: "must be the issuer URL of Make's OpenID server, e.g. https://www.make.com",
    }),
    AUTH_MAKE_ID: z.string().min(1, "must be the OAuth client id Make gave you"),
    AUTH_MAKE_SECRET: z.string().min(1).optional(),
    AUTH_MAKE_SCOPE: z
      .string()
      .default(DEFAULT_SCOPE)
      .refine((scope) => scope.split(/[\s,]+/).includes("openid"), "must include openid"),
    AUTH_MAKE_NONCE: booleanFlag.default(false),
    // Extra scopes "Grant access" may ask for, beyond AUTH_MAKE_SCOPE and lib/make/calls.ts's GRANTABLE_SCOPES.
    AUTH_MAKE_GRANTABLE_SCOPES: z
      .string()
      .regex(
        /^[a-z][a-z-]*:[a-z]+([\s,]+[a-z][a-z-]*:[a-z]+)*$/,
        "must be Make scope names such as templates:read",
      )
      .optional(),
    MAKE_API_URL: makeApiUrl.default("https://{zone}/api/v2"),
    MAKE_DEFAULT_ZONE: z
      .string()
      .regex(/^[a-z0-9.-]+(:\d+)?$/i, "must be a zone host such as eu1.make.com")
      .default("eu1.make.com"),
    TOKEN_ENCRYPTION_KEY: z.string().min(1).optional(),
    TOKEN_REFRESH_MARGIN_SECONDS: z.coerce.number().int().min(0).max(3000).default(60),
    MAKE_PROFILE_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
    // The window of Make's per-organization API budget; Make's is a minute. Shorter only against the stand-in.
    MAKE_API_BUDGET_WINDOW_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
    MAKE_TOKEN_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
    // A second sign-in provider, any OpenID Connect issuer (company SSO): lib/auth/providers.ts.
    AUTH_OIDC_ISSUER: z.url().optional(),
    AUTH_OIDC_ID: z.string().min(1).optional(),
    AUTH_OIDC_SECRET: z.string().min(1).optional(),
    AUTH_OIDC_NAME: z.string().min(1).default("Company SSO"),
  },
  experimental__runtimeEnv: {},
  emptyStringAsUndefined: true,
  // `next build` also evaluates server modules, often without the runtime configuration: next.config.mjs has
  // validated once already where the deployment's variables are present, and the server validates at start.
  skipValidation: !!process.env.SKIP_ENV_VALIDATION || process.env.NEXT_PHASE === "phase-production-build",
  onValidationError: (issues) => {
    const lines = issues.map((issue) => {
      const name = issue.path?.map(String).join(".") ?? "?";
      return `  ${name}: ${process.env[name] === undefined || process.env[name] === "" ? "is not set" : issue.message}`;
    });
    throw new Error(`Invalid environment variables (see .env.example):\n${lines.join("\n")}`);
  },
});

/** Granted-scope list from the configured scope string (Make accepts spaces or commas). */
export const requestedScopes = () => env.AUTH_MAKE_SCOPE.split(/[\s,]+/).filter(Boolean);

/** Confidential clients authenticate with `client_secret_post`; public clients rely on PKCE alone. */
export const clientType = (): "confidential" | "public" => (env.AUTH_MAKE_SECRET ? "confidential" : "public");
