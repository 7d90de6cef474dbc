/**
 * The structured logger: one JSON object per line in production, a readable line in development, and
 * fields named like a secret replaced whatever their value.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { log } from "@/lib/log";

function captured(method: "log" | "warn" | "error") {
  const lines: string[] = [];
  vi.spyOn(console, method).mockImplementation((line: unknown) => void lines.push(String(line)));
  return lines;
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe("log", () => {
  it("writes one JSON object per line in production, with the level, the message and the fields", () => {
    vi.stubEnv("NODE_ENV", "production");
    const lines = captured("warn");
    log.warn("idle connection not renewed", { accountId: "acc_1", reason: "make_unavailable" });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual({
      time: expect.any(String),
      level: "warn",
      message: "idle connection not renewed",
      accountId: "acc_1",
      reason: "make_unavailable",
    });
  });

  it("writes a readable line in development", () => {
    vi.stubEnv("NODE_ENV", "development");
    const lines = captured("error");
    log.error("could not record a failed renewal", { accountId: "acc_1", error: "timeout" });
    expect(lines).toEqual(["error could not record a failed renewal  accountId=acc_1 error=timeout"]);
  });

  it("replaces fields named like a token, a secret or a password, in both formats", () => {
    for (const mode of ["production", "development"]) {
      vi.stubEnv("NODE_ENV", mode);
      const lines = captured("log");
      log.info("careless call", { accessToken: "at-123", clientSecret: "s-456", password: "p-789", ok: 1 });
      expect(lines[0]).not.toMatch(/at-123|s-456|p-789/);
      expect(lines[0]).toContain("[redacted]");
      vi.restoreAllMocks();
    }
  });
  it("prints Make's text without control characters or query strings, in both formats", () => {
    for (const mode of ["production", "development"]) {
      vi.stubEnv("NODE_ENV", mode);
      const lines = captured("warn");
      log.warn("org \u001b]0;owned\u0007name\u009b2J", {
        error: "\u001b[2K\rAll checks passed\nok",
        url: "https://app.example/api/auth/callback/make?code=c-123&state=s-456",
      });
      expect(lines[0]).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]|c-123|s-456/);
      expect(lines[0]).toContain("/api/auth/callback/make");
      vi.restoreAllMocks();
    }
  });
});
