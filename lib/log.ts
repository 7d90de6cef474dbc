/**
 * The app's one logger: a JSON object per line in production, a readable line in development. A line about a
 * connection carries its `accountId`, inside a traced request the trace id; fields named like a token, secret
 * or password are redacted (a net under the rule), and text loses query strings and control characters.
 */
import { trace } from "@opentelemetry/api";
import { withoutQueryStrings } from "@/lib/query-strings";
import { printable } from "@/lib/terminal-text";

export type LogFields = Record<string, string | number | boolean | null | undefined>;
type Level = "info" | "warn" | "error";

const SECRET_FIELD = /token|secret|password|authorization|cookie/i;
// Read directly, not through lib/env: the logger must also report a configuration lib/env rejects.
const asJson = () => process.env.NODE_ENV === "production";

function withoutSecrets(fields: LogFields): LogFields {
  const kept: LogFields = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    kept[key] = SECRET_FIELD.test(key)
      ? "[redacted]"
      : typeof value === "string"
        ? printable(withoutQueryStrings(value))
        : value;
  }
  return kept;
}

function write(level: Level, text: string, fields: LogFields = {}) {
  const message = printable(text);
  const context = trace.getActiveSpan()?.spanContext();
  const entry = {
    ...withoutSecrets(fields),
    ...(context ? { traceId: context.traceId } : {}),
  };
  const print = level === "info" ? console.log : level === "warn" ? console.warn : console.error;
  if (asJson()) {
    print(JSON.stringify({ time: new Date().toISOString(), level, message, ...entry }));
    return;
  }
  const details = Object.entries(entry).map(([key, value]) => `${key}=${value}`);
  print(`${level.padEnd(5)} ${message}${details.length ? `  ${details.join(" ")}` : ""}`);
}

/** The message of anything thrown, for a log field. */
export const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));

export const log = {
  info: (message: string, fields?: LogFields) => write("info", message, fields),
  warn: (message: string, fields?: LogFields) => write("warn", message, fields),
  error: (message: string, fields?: LogFields) => write("error", message, fields),
};
