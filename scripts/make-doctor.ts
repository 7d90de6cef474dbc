/**
 * `npm run make:doctor [-- --user <id or email>]`: checks the Make client configuration before the first
 * sign-in (discovery, issuer, client credentials, scopes, the callback URL to register, database, keys),
 * and with a user that user's connection. One line per check; exit code 1 when any fails. Text that comes
 * from Make (names, zones, errors) is printed without control characters.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { settleBackgroundWork } from "@/lib/background-work";
import { printable } from "@/lib/terminal-text";

const { values } = parseArgs({ options: { user: { type: "string" } }, allowPositionals: false });

/** "make-oidc-starter 0.6.0", read at run time: the release named in package.json (and CHANGELOG.md). */
function starterVersion(): string {
  const file = new URL("../package.json", import.meta.url);
  const { name, version } = JSON.parse(readFileSync(file, "utf8")) as { name: string; version: string };
  return `${name} ${version}`;
}

async function main(): Promise<number> {
  console.log(starterVersion());
  let make: typeof import("@/lib/make/ops");
  try {
    // The environment is validated on import: a configuration error is a failed check, not a stack trace.
    make = await import("@/lib/make/ops");
  } catch (error) {
    console.log(`✗ configuration: ${printable(error instanceof Error ? error.message : String(error))}`);
    return 1;
  }
  try {
    const { checks, observations } = await make.runMakeDoctor({ user: values.user });
    for (const check of checks)
      console.log(printable(`${check.ok ? "✓" : "✗"} ${check.name}: ${check.detail}`));
    if (observations.length > 0) {
      console.log("Observed of Make's undocumented answers (first seen):");
      for (const fact of observations)
        console.log(printable(`  ${fact.description}: ${fact.value} (${fact.observedAt.toISOString()})`));
    }
    const failed = checks.filter((check) => !check.ok).length;
    console.log(failed === 0 ? "All checks passed." : `${failed} check(s) failed.`);
    return failed === 0 ? 0 : 1;
  } finally {
    // A renewal the check started, or a fact it observed, is written before the database goes.
    await settleBackgroundWork();
    await (await import("@/lib/db")).db.$disconnect().catch(() => {});
  }
}

process.exitCode = await main();
