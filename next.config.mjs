// Security headers live here so every response carries them, pages and API routes alike.
// @see https://nextjs.org/docs/app/api-reference/config/next-config-js/headers
const isDev = process.env.NODE_ENV !== "production";

const contentSecurityPolicy = [
  "default-src 'self'",
  `script-src 'self' 'unsafe-inline'${isDev ? " 'unsafe-eval'" : ""}`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: https: http:",
  "font-src 'self'",
  "connect-src 'self'",
  "form-action 'self' http: https:",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "object-src 'none'",
].join("; ");

/** @type {import("next").NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  // The test-suite and the benchmark build into their own folder so they never clash with `npm run dev`.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  // Benchmark-only pages are named page.bench.tsx and exist only in `npm run bench`'s build (BENCH_BUILD=1).
  pageExtensions: ["tsx", "ts", "jsx", "js", ...(process.env.BENCH_BUILD === "1" ? ["bench.tsx"] : [])],
  // Next rewrites 127.0.0.1 and [::1] to "localhost" in request URLs. The OAuth redirect_uri is built from
  // the request URL, so the token request would name another host than the authorization request did.
  skipProxyUrlNormalize: true,
  serverExternalPackages: ["@electric-sql/pglite", "oidc-provider"],
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "Content-Security-Policy", value: contentSecurityPolicy },
          { key: "Referrer-Policy", value: "no-referrer" },
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
        ],
      },
    ];
  },
};

export default nextConfig;
