/**
 * The environment that gives an app server, or app modules loaded in a test, other values for lib/make's
 * tuning constants (a shorter token timeout, a one-second budget window): `env: testTuning({ TOKEN_TIMEOUT_MS:
 * 1000 })`. Each becomes TEST_ONLY_TUNING_<NAME>, read by lib/test-tuning.ts, so they merge like any variable.
 */
import type { TunableName } from "@/lib/test-tuning";

export const testTuning = (values: Partial<Record<TunableName, number>>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(values).map(([name, value]) => [`TEST_ONLY_TUNING_${name}`, String(value)]),
  );
