/**
 * Test-only: the one seam through which tests and the benchmark change a tuning constant of lib/make, as
 * TEST_ONLY_TUNING_<NAME>=<number> in the server's environment; a Vercel production deployment refuses to
 * start with any set. Add a name here when a test needs another value of a constant, never for a deployer.
 */
import "server-only";

/** The constants a test may change; each is defined, with its default and why, beside the code it tunes. */
const TUNABLE = [
  "TOKEN_TIMEOUT_MS",
  "REFRESH_MARGIN_SECONDS",
  "ANSWER_CACHE_SECONDS",
  "API_BUDGET_WINDOW_SECONDS",
  "RENEW_IDLE_AFTER_DAYS",
] as const;
export type TunableName = (typeof TUNABLE)[number];

const PREFIX = "TEST_ONLY_TUNING_";

// Read once, when the module loads (server-start.ts loads it first), as lib/env.ts reads the environment.
function readOverrides(): Partial<Record<TunableName, number>> {
  const set = Object.keys(process.env).filter((name) => name.startsWith(PREFIX) && process.env[name]);
  if (set.length === 0) return {};
  if (process.env.VERCEL_ENV === "production") {
    throw new Error(`${set.join(", ")}: test-only tuning is refused on a production deployment; unset it`);
  }
  const overrides: Partial<Record<TunableName, number>> = {};
  for (const variable of set) {
    const name = variable.slice(PREFIX.length) as TunableName;
    const value = Number(process.env[variable]);
    if (!TUNABLE.includes(name)) {
      throw new Error(`${variable}: no such tuning constant (one of ${TUNABLE.join(", ")})`);
    }
    if (!Number.isFinite(value) || value < 0) throw new Error(`${variable}: must be a number, 0 or more`);
    overrides[name] = value;
  }
  return overrides;
}

const overrides = readOverrides();

/** `defaultValue`, unless a test set TEST_ONLY_TUNING_<name>. */
export const tunable = (name: TunableName, defaultValue: number): number => overrides[name] ?? defaultValue;
