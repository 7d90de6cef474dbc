/**
 * The one place environment variables are read: validated at server start and by `next build`, so a bad
 * value stops it naming the variable (`npm run dev` sets development defaults first, in scripts/dev.ts). Add
 * one here and to .env.example only if a deployer must or may set it; tuning is a constant beside its code.
 * @see https://env.t3.gg/docs/nextjs
 */
import { createEnv } from "@t3-oss/env-nextjs";
import { z } from "zod";
import { isLoopbackHost } from "./loopback";
import { parseScopes } from "./scopes";

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

// In production, Make is reached over https only; plain http to a loopback host is the local stand-in.
const inProduction = process.env.NODE_ENV === "production";
const httpsInProduction = (value: string) => {
  const candidate = value.replace("{zone}", "localhost");
  if (!inProduction || !URL.canParse(candidate)) return true; // a malformed URL fails its own check
  const url = new URL(candidate);
  return url.protocol === "https:" || isLoopbackHost(url.hostname);
};
const HTTPS_REQUIRED = "must be https in production (plain http only to a loopback host)";

/** Make's REST API base: `{zone}` (in the host) is filled per call, e.g. https://{zone}/api/v2. */
const makeApiUrl = z
  .string()
  .refine((value) => {
    if (!URL.canParse(value.replace("{zone}", "eu1.make.com"))) return false;
    const url = new URL(value.replace("{zone}", "eu1.make.com"));
    return /^https?:$/.test(url.protocol) && /\/api\/v\d+\/?$/.test(url.pathname);
  }, "must be an http(s) URL ending in /api/v2, with {zone} where the zone host goes")
  .refine(httpsInProduction, HTTPS_REQUIRED);

/**
 * Why a variable that is optional elsewhere is required in this deployment, for the startup error.
 * With the redirect proxy on, every deployment holds the one shared AUTH_SECRET: off Vercel a deployment
 * must know its own origin (a request's Host names whatever the client likes), and production's stored
 * tokens need a key that no preview build holds.
 */
const { AUTH_URL, AUTH_REDIRECT_PROXY_URL } = process.env;
const onVercel = process.env.VERCEL === "1";
const redirectProxyOn = !!AUTH_REDIRECT_PROXY_URL;
const sameOrigin = (a?: string, b?: string) =>
  !!a && !!b && URL.canParse(a) && URL.canParse(b) && new URL(a).origin === new URL(b).origin;
const isStableDeployment =
  redirectProxyOn &&
  (onVercel ? process.env.VERCEL_ENV === "production" : sameOrigin(AUTH_URL, AUTH_REDIRECT_PROXY_URL));
const REQUIRED_BECAUSE: Record<string, string | undefined> = {
  AUTH_URL:
    redirectProxyOn && !onVercel
      ? "required with AUTH_REDIRECT_PROXY_URL off Vercel: this deployment's public URL, e.g. https://preview.example.com"
      : undefined,
  MAKE_EVENTS_WEBHOOK_SECRET: process.env.MAKE_EVENTS_WEBHOOK_URL
    ? "required with MAKE_EVENTS_WEBHOOK_URL: the receiver's whsec_… signing secret"
    : undefined,
  TOKEN_ENCRYPTION_KEY: isStableDeployment
    ? "required in production with AUTH_REDIRECT_PROXY_URL: every preview holds AUTH_SECRET, so production's tokens need a key of their own (openssl rand -base64 32)"
    : undefined,
};

/** An origin, or a pattern with `*` standing for one or more letters, digits or dashes of a host name. */
const originPattern = z
  .string()
  .regex(
    /^https?:\/\/[a-z0-9*.-]+(:\d+)?$/i,
    "must be origins such as https://app-*-team.vercel.app, comma-separated",
  );

/** A Standard Webhooks signing secret: `whsec_` and base64 of 24 to 64 random bytes. */
const webhookSecret = z
  .string()
  .regex(
    /^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/,
    "must be a whsec_… secret (whsec_ + base64 of 32 random bytes)",
  );

const booleanFlag = z
  .enum(["true", "false", "1", "0"], { error: "must be true or false" })
  .transform((value) => value === "true" || value === "1");

export const env = createEnv({
  server: {
    // Make's OAuth client (docs/real-make.md).
    AUTH_MAKE_ISSUER: z
      .url({ error: "must be the issuer URL of Make's OpenID server, e.g. https://www.make.com" })
      .refine(httpsInProduction, HTTPS_REQUIRED),
    AUTH_MAKE_ID: z.string().min(1, "must be the OAuth client id Make gave you"),
    AUTH_MAKE_SECRET: z.string().min(1).optional(),
    AUTH_MAKE_SCOPE: z
      .string()
      .default(DEFAULT_SCOPE)
      .refine((scope) => parseScopes(scope).includes("openid"), "must include openid"),
    AUTH_MAKE_NONCE: booleanFlag.default(false),
    MAKE_API_URL: makeApiUrl.default("https://{zone}/api/v2"),
    MAKE_DEFAULT_ZONE: z
      .string()
      .regex(/^[a-z0-9.-]+(:\d+)?$/i, "must be a zone host such as eu1.make.com")
      .default("eu1.make.com"),

    // The deployment (docs/deploying.md).
    DATABASE_URL: postgresUrl,
    DATABASE_URL_UNPOOLED: postgresUrl.optional(),
    AUTH_SECRET: z.string().min(32, "must be at least 32 characters (generate one with `npx auth secret`)"),
    AUTH_URL: REQUIRED_BECAUSE.AUTH_URL ? z.url() : z.url().optional(),
    // Auth.js's own switch: trust the request's Host / X-Forwarded-Host where AUTH_URL is not set.
    AUTH_TRUST_HOST: booleanFlag.optional(),
    TOKEN_ENCRYPTION_KEY: REQUIRED_BECAUSE.TOKEN_ENCRYPTION_KEY
      ? z.string().min(1)
      : z.string().min(1).optional(),
    CRON_SECRET: process.env.VERCEL === "1" ? cronSecret : cronSecret.optional(),
    AUTH_REDIRECT_PROXY_URL: redirectProxyUrl.optional(),
    // Origins the stable deployment forwards Make's answer to; on Vercel, the project's own preview URLs.
    AUTH_REDIRECT_PROXY_ALLOWED_ORIGINS: z
      .string()
      .transform((value) => value.split(",").map((origin) => origin.trim()))
      .pipe(z.array(originPattern))
      .optional(),

    // Optional: what the app does without each is in .env.example.
    // Connection events are POSTed here, signed as Standard Webhooks specifies (lib/make/connection/outbox.ts).
    MAKE_EVENTS_WEBHOOK_URL: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional(),
    MAKE_EVENTS_WEBHOOK_SECRET: process.env.MAKE_EVENTS_WEBHOOK_URL
      ? webhookSecret
      : webhookSecret.optional(),
    // Connections whose user has had no session and no sign-in for this many days lapse (lib/make/connection/lapse.ts).
    MAKE_LAPSE_AFTER_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
    // However often it is used, a session ends this many days after its sign-in (lib/auth/session.ts).
    AUTH_SESSION_MAX_AGE_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
    // Zone hosts beyond Make's own (*.make.com, *.make.celonis.com) that may receive tokens: a private
    // instance, the local stand-in. An organization naming any other zone gets no request.
    MAKE_ZONE_HOSTS: z
      .string()
      .regex(
        /^[a-z0-9.-]+(:\d+)?(\s*,\s*[a-z0-9.-]+(:\d+)?)*$/i,
        "must be zone hosts such as eu9.example.com:8443, comma-separated",
      )
      .transform((value) => value.split(",").map((host) => host.trim()))
      .default([]),
    // Traces are exported over OTLP when this is set (instrumentation.ts); unset, tracing costs nothing.
    OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
    OTEL_SERVICE_NAME: z.string().min(1).default("make-oidc-starter"),
    // A second sign-in provider, any OpenID Connect issuer (company SSO): lib/auth/providers.ts.
    AUTH_OIDC_ISSUER: z.url().optional(),
    AUTH_OIDC_ID: z.string().min(1).optional(),
    AUTH_OIDC_SECRET: z.string().min(1).optional(),
    AUTH_OIDC_NAME: z.string().min(1).default("Company SSO"),

    // Set by the platform: Next.js, and Vercel's system environment variables. Never set them yourself.
    NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
    VERCEL: z.string().optional(),
    VERCEL_ENV: z.enum(["production", "preview", "development"]).optional(),
    VERCEL_URL: z.string().optional(),
    VERCEL_BRANCH_URL: z.string().optional(),
    VERCEL_PROJECT_PRODUCTION_URL: z.string().optional(),
  },
  experimental__runtimeEnv: {},
  emptyStringAsUndefined: true,
  // `next build` also evaluates server modules, often without the runtime configuration: next.config.mjs has
  // validated once already where the deployment's variables are present, and the server validates at start.
  skipValidation: !!process.env.SKIP_ENV_VALIDATION || process.env.NEXT_PHASE === "phase-production-build",
  onValidationError: (issues) => {
    const lines = issues.map((issue) => {
      const name = issue.path?.map(String).join(".") ?? "?";
      const missing = process.env[name] === undefined || process.env[name] === "";
      const why = REQUIRED_BECAUSE[name] ? ` (${REQUIRED_BECAUSE[name]})` : "";
      return `  ${name}: ${missing ? `is not set${why}` : issue.message}`;
    });
    throw new Error(`Invalid environment variables (see .env.example):\n${lines.join("\n")}`);
  },
});

/** Granted-scope list from the configured scope string (Make accepts spaces or commas). */
export const requestedScopes = () => parseScopes(env.AUTH_MAKE_SCOPE);

/** Confidential clients authenticate with `client_secret_post`; public clients rely on PKCE alone. */
export const clientType = (): "confidential" | "public" => (env.AUTH_MAKE_SECRET ? "confidential" : "public");

/**
 * This deployment's public URL, never taken from a request header: AUTH_URL, else on Vercel the URL
 * Vercel gives the deployment (production: the project's production domain; a preview: its branch URL,
 * else its own deployment URL). Undefined off Vercel without AUTH_URL.
 */
export function deploymentUrl(): string | undefined {
  if (env.AUTH_URL) return env.AUTH_URL;
  if (env.VERCEL !== "1") return undefined;
  const host =
    env.VERCEL_ENV === "production"
      ? (env.VERCEL_PROJECT_PRODUCTION_URL ?? env.VERCEL_URL)
      : (env.VERCEL_BRANCH_URL ?? env.VERCEL_URL);
  return host ? `https://${host}` : undefined;
}

/**
 * Auth.js's `trustHost`, derived as Auth.js derives it (AUTH_URL, AUTH_TRUST_HOST, Vercel, Cloudflare
 * Pages, or not production), except that AUTH_TRUST_HOST=false means false.
 * @see https://authjs.dev/getting-started/deployment#auth_trust_host
 */
export const trustHost = (): boolean =>
  !!deploymentUrl() ||
  (env.AUTH_TRUST_HOST ?? (env.VERCEL === "1" || !!process.env.CF_PAGES || env.NODE_ENV !== "production"));
