// Security headers live here so every response carries them, pages and API routes alike. They are fixed
// when the app is built (`next build` writes them into its routes manifest); pages get their Content
// Security Policy from proxy.ts instead, built per request.
// @see https://nextjs.org/docs/app/api-reference/config/next-config-js/headers
const isDev = process.env.NODE_ENV !== "production";

/** The policy of every response that is not a page (proxy.ts gives each page its own, with a nonce). */
async function contentSecurityPolicy() {
  const { createJiti } = await import("jiti");
  const policy = await createJiti(import.meta.url).import("./lib/content-security-policy.ts");
  return policy.contentSecurityPolicy(process.env, { development: isDev });
}

// Browsers ignore HSTS received over plain http, so sending it from every production response is safe.
const strictTransportSecurity = isDev
  ? []
  : [{ key: "Strict-Transport-Security", value: "max-age=63072000; includeSubDomains" }];

/**
 * Tooling switches, read only by the test suite and the benchmark (a deployment sets none of them):
 * - NEXT_DIST_DIR: tests and the benchmark build into their own folder, never clashing with `npm run dev`;
 * - NEXT_OUTPUT=standalone: a self-contained server with only the files Next traces (what Vercel deploys).
 * tsconfig.json includes the matching `.next-test` and `.next-bench` type folders.
 */
const tooling = {
  distDir: process.env.NEXT_DIST_DIR || ".next",
  output: process.env.NEXT_OUTPUT === "standalone" ? "standalone" : undefined,
};

/** @type {import("next").NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  ...tooling,
  // Next rewrites 127.0.0.1 and [::1] to "localhost" in request URLs. The OAuth redirect_uri is built from
  // the request URL, so the token request would name another host than the authorization request did.
  skipProxyUrlNormalize: true,
  serverExternalPackages: ["@electric-sql/pglite", "oidc-provider"],
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          // Lower case, as proxy.ts sets it: the proxy's policy for a page replaces this one.
          { key: "content-security-policy", value: await contentSecurityPolicy() },
          // Nothing of a URL leaves the site; same-origin (not no-referrer) because with no-referrer the
          // browser sends `Origin: null` on a form POST, and Next refuses a server action posted before
          // (or without) JavaScript.
          { key: "Referrer-Policy", value: "same-origin" },
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
          ...strictTransportSecurity,
        ],
      },
    ];
  },
};

/**
 * `next build` validates the environment with lib/env.ts wherever the deployment's variables are present:
 * always on Vercel, and in any build that sets one of them. A Docker-style build that injects them only at
 * run time sets none (or SKIP_ENV_VALIDATION=1), and the server validates when it starts.
 */
async function validateEnvironment() {
  if (process.env.SKIP_ENV_VALIDATION) return;
  const runtimeVariables = ["DATABASE_URL", "AUTH_SECRET", "AUTH_MAKE_ISSUER", "AUTH_MAKE_ID"];
  if (process.env.VERCEL !== "1" && !runtimeVariables.some((name) => process.env[name])) return;
  const { createJiti } = await import("jiti");
  await createJiti(import.meta.url).import("./lib/env.ts");
}

export default async function config(phase) {
  if (phase === "phase-production-build") await validateEnvironment();
  return nextConfig;
}
