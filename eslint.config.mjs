// Lint rules: Next.js's (core web vitals, TypeScript) on top of typescript-eslint's recommended set.
// `npm run lint` runs this and Prettier's check; a rule is switched off only with a one-line reason.
// @see https://nextjs.org/docs/app/api-reference/config/eslint
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTypescript from "eslint-config-next/typescript";
import { defineConfig, globalIgnores } from "eslint/config";

const makeInsides = {
  group: ["@/lib/make/*", "**/lib/make/*"],
  message: 'Import the Make connection from "@/lib/make" (lib/make/index.ts): its insides are private.',
};

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
    // The Make connection is one module with one door (lib/make/index.ts): everything outside it imports
    // `@/lib/make`, never a file inside. Tests exercise the insides directly and are exempt.
    files: ["**/*.{ts,tsx,mjs}"],
    ignores: ["lib/make/**", "tests/**"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [makeInsides] }],
    },
  },
  {
    // lib/ outside lib/make: the same fence (the rule above replaces the first one for these files).
    files: ["components/**", "lib/**"],
    ignores: ["lib/make/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["@/app/*", "**/app/*"], message: "Routes import components and lib, not the reverse." },
            makeInsides,
          ],
        },
      ],
    },
  },
  {
    // Inside the Make module: it is used by sessions, never the reverse.
    files: ["lib/make/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["@/app/*", "**/app/*"], message: "Routes import components and lib, not the reverse." },
            {
              group: ["@/lib/auth", "@/lib/auth/*"],
              message: "lib/make does not depend on lib/auth: pass what it needs in.",
            },
          ],
        },
      ],
    },
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
