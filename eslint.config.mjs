// Lint rules: Next.js's (core web vitals, TypeScript) on top of typescript-eslint's recommended set.
// `npm run lint` runs this and Prettier's check; a rule is switched off only with a one-line reason.
// @see https://nextjs.org/docs/app/api-reference/config/eslint
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTypescript from "eslint-config-next/typescript";
import { defineConfig, globalIgnores } from "eslint/config";

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
