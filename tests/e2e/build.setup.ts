/**
 * Builds the app once for the end-to-end tests, in production mode, into its own dist folder, with the
 * standalone output as well (tests/e2e/standalone.test.ts runs it alone; the other tests use `next start`).
 * Set E2E_SKIP_BUILD=1 to reuse the previous build while iterating on tests.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { TEST_DIST_DIR } from "../support/app-server";

export default function buildApp() {
  if (process.env.E2E_SKIP_BUILD === "1") return;
  const root = path.resolve(import.meta.dirname, "../..");
  const result = spawnSync(process.execPath, [path.join(root, "node_modules/next/dist/bin/next"), "build"], {
    cwd: root,
    // The providers' issuers go into the build's Content-Security-Policy: the Make stand-in's (any port on
    // localhost) and the generic OIDC provider's (any port on 127.0.0.1, where second-provider.test.ts runs
    // it); the rest of the configuration comes from each test's server, so the build does not validate it.
    env: {
      ...process.env,
      NODE_ENV: "production",
      NEXT_DIST_DIR: TEST_DIST_DIR,
      NEXT_OUTPUT: "standalone",
      NEXT_TELEMETRY_DISABLED: "1",
      AUTH_MAKE_ISSUER: "http://localhost",
      AUTH_OIDC_ISSUER: "http://127.0.0.1",
      AUTH_OIDC_ID: "built-for-the-csp",
      SKIP_ENV_VALIDATION: "1",
    },
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`next build failed:\n${result.stdout}\n${result.stderr}`);
}
