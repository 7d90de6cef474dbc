/**
 * The linter keeps the Make connection's three doors: product code, the sign-in wiring and operations each
 * import their own door, nobody imports an inside file, and lib/make never imports sign-in.
 */
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

// Only the fence is asked about: other rules need the file to exist.
const eslint = new ESLint({
  cwd: process.cwd(),
  ruleFilter: ({ ruleId }) => ruleId === "no-restricted-imports",
});

async function refusedImport(filePath: string, module: string): Promise<string | undefined> {
  const [result] = await eslint.lintText(`import * as door from "${module}";\nexport const used = door;\n`, {
    filePath,
  });
  return result?.messages.find((message) => message.ruleId === "no-restricted-imports")?.message;
}

describe("the Make connection's doors", { timeout: 60_000 }, () => {
  it("lets each kind of caller through its own door", async () => {
    expect(await refusedImport("app/(dashboard)/dashboard/example/page.tsx", "@/lib/make")).toBeUndefined();
    expect(await refusedImport("components/make/example.tsx", "@/lib/make")).toBeUndefined();
    expect(await refusedImport("lib/auth/example.ts", "@/lib/make/auth")).toBeUndefined();
    expect(await refusedImport("auth.ts", "@/lib/make/auth")).toBeUndefined();
    expect(await refusedImport("app/api/cron/revocations/example.ts", "@/lib/make/ops")).toBeUndefined();
    expect(await refusedImport("scripts/example.ts", "@/lib/make/ops")).toBeUndefined();
  });

  it("refuses an inside file to everyone outside lib/make", async () => {
    for (const file of [
      "app/(dashboard)/dashboard/page.tsx",
      "components/x.tsx",
      "lib/auth/x.ts",
      "scripts/x.ts",
    ])
      expect(await refusedImport(file, "@/lib/make/connection/refresh")).toMatch(/through its doors/);
  });

  it("refuses the auth door to product code and operations, and the ops door to product code", async () => {
    expect(await refusedImport("app/(dashboard)/dashboard/page.tsx", "@/lib/make/auth")).toMatch(
      /auth.ts and lib\/auth/,
    );
    expect(await refusedImport("scripts/x.ts", "@/lib/make/auth")).toMatch(/auth.ts and lib\/auth/);
    expect(await refusedImport("components/x.tsx", "@/lib/make/ops")).toMatch(/cron and health/);
    expect(await refusedImport("lib/auth/x.ts", "@/lib/make/ops")).toMatch(/cron and health/);
  });

  it("refuses lib/auth and auth.ts inside lib/make", async () => {
    expect(await refusedImport("lib/make/connection/x.ts", "@/lib/auth")).toMatch(/does not depend on auth/);
    expect(await refusedImport("lib/make/client/x.ts", "@/auth")).toMatch(/does not depend on auth/);
  });
});
