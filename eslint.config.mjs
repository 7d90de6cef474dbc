// Lint rules: Next.js's (core web vitals, TypeScript) on top of typescript-eslint's recommended set.
// `npm run lint` runs this and Prettier's check; a rule is switched off only with a one-line reason.
// @see https://nextjs.org/docs/app/api-reference/config/eslint
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTypescript from "eslint-config-next/typescript";
import { defineConfig, globalIgnores } from "eslint/config";

// The Make connection has three doors (lib/make/README.md): `@/lib/make` for product code, `@/lib/make/auth`
// for the sign-in wiring, `@/lib/make/ops` for cron, health and scripts. Everything else inside is private.
const makeInsides = {
  group: ["@/lib/make/*", "!@/lib/make/auth", "!@/lib/make/ops", "**/lib/make/*/**"],
  message:
    'Import the Make connection through its doors: "@/lib/make", "@/lib/make/auth" or "@/lib/make/ops".',
};
const makeAuthDoor = {
  group: ["@/lib/make/auth"],
  message: '"@/lib/make/auth" is for auth.ts and lib/auth; product code imports "@/lib/make".',
};
const makeOpsDoor = {
  group: ["@/lib/make/ops"],
  message: '"@/lib/make/ops" is for cron and health routes and scripts; product code imports "@/lib/make".',
};
const routesFromLib = {
  group: ["@/app/*", "**/app/*"],
  message: "Routes import components and lib, not the reverse.",
};
const doors = (...patterns) => ({ "no-restricted-imports": ["error", { patterns }] });

export default defineConfig([
  ...nextVitals,
  ...nextTypescript,
  globalIgnores([
    ".next*/**",
    ".data/**",
    "lib/generated/**",
    "coverage/**",
    "test-results/**",
    "next-env.d.ts",
  ]),
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": [
        "error",
        { fixStyle: "inline-type-imports", disallowTypeAnnotations: false },
      ],
    },
  },
  {
    // Product code: pages, components, actions, lib outside lib/make and lib/auth.
    files: ["**/*.{ts,tsx,mjs}"],
    ignores: ["lib/make/**", "tests/**"],
    rules: doors(makeInsides, makeAuthDoor, makeOpsDoor),
  },
  {
    files: ["components/**", "lib/**"],
    ignores: ["lib/make/**", "lib/auth/**", "lib/server-start.ts"],
    rules: doors(routesFromLib, makeInsides, makeAuthDoor, makeOpsDoor),
  },
  {
    // The sign-in wiring: auth.ts and lib/auth use the auth door.
    files: ["auth.ts", "lib/auth/**"],
    rules: doors(routesFromLib, makeInsides, makeOpsDoor),
  },
  {
    // Operations: the cron and health routes, the long-running server's start, scripts.
    files: ["app/api/cron/**", "app/api/health/**", "lib/server-start.ts", "scripts/**"],
    rules: doors(routesFromLib, makeInsides, makeAuthDoor),
  },
  {
    // Inside the Make connection: it is used by sign-in and sessions, never the reverse.
    files: ["lib/make/**"],
    rules: doors(routesFromLib, {
      group: ["@/auth", "@/lib/auth", "@/lib/auth/*"],
      message: "lib/make does not depend on auth.ts or lib/auth: pass what it needs in.",
    }),
  },
  {
    // No import circles in the app's own code (type-only imports count: they tie modules together too).
    files: ["app/**", "components/**", "lib/**", "*.ts"],
    rules: { "import/no-cycle": ["error", { ignoreExternal: true }] },
  },
  {
    files: ["**/*.cjs"],
    // CommonJS files (preloaded with `node --require`) can only load modules with require().
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    files: ["tests/**"],
    // No React in tests: fixtures and callbacks named `use…` there are not hooks.
    rules: { "react-hooks/rules-of-hooks": "off" },
  },
]);
