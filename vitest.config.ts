/**
 * One command runs the whole suite: unit tests, integration tests against a real PostgreSQL and the local
 * Make stand-in, and end-to-end tests in Chromium against a production build. Each of the last two
 * starts PostgreSQL once (global setup) and gives every test file its own database.
 * @see https://vitest.dev/guide/projects
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      "@": fileURLToPath(new URL(".", import.meta.url)),
      "server-only": fileURLToPath(new URL("./tests/support/empty-module.ts", import.meta.url)),
    },
  },
  test: {
    // next-auth imports "next/server" without an extension, which Node's own ESM resolution refuses; inlined,
    // Vite resolves it as Next's bundler does.
    server: { deps: { inline: ["next-auth"] } },
    reporters: ["default", "./tests/support/summary-reporter.ts"],
    // Each project `extends` this file, so the aliases above apply to all three.
    projects: [
      { extends: true, test: { name: "unit", include: ["tests/unit/**/*.test.ts"] } },
      {
        extends: true,
        test: {
          name: "integration",
          globalSetup: ["tests/support/global-setup.ts"],
          include: ["tests/integration/**/*.test.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          globalSetup: ["tests/support/global-setup.ts", "tests/e2e/build.setup.ts"],
          include: ["tests/e2e/**/*.test.ts"],
          testTimeout: 90_000,
          hookTimeout: 240_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
