// Finds the statements in a migration file that begin or end a transaction (BEGIN, COMMIT, ROLLBACK...),
// which the runner must not wrap in a transaction of its own (migrate.ts). Edit it if a file is misjudged;
// how it scans, and why erring towards "has transaction control" is safe: scripts/database/README.md.

const TRANSACTION_CONTROL =
  /^(begin|start\s+transaction|commit|end|abort|rollback(?!\s+(?:work\s+|transaction\s+)?to\b)|prepare\s+transaction)\b/i;

/** The transaction-control statements of `sql`, e.g. `["BEGIN", "COMMIT"]`; empty for an ordinary file. */
export function transactionControlStatements(sql: string): string[] {
  return statementTexts(sql)
    .map((statement) => TRANSACTION_CONTROL.exec(statement.trim())?.[1])
    .filter((keyword) => keyword !== undefined)
    .map((keyword) => keyword.replace(/\s+/g, " ").toUpperCase());
}

/** Each statement's text outside comments and quotes (each of those becomes one space). */
function statementTexts(sql: string): string[] {
  const statements: string[] = [];
  let current = "";
  let i = 0;
  while (i < sql.length) {
    const skipped = skipQuotedOrComment(sql, i);
    if (skipped > i) {
      current += " ";
      i = skipped;
    } else if (sql[i] === ";") {
      statements.push(current);
      current = "";
      i++;
    } else {
      current += sql[i++];
    }
  }
  return [...statements, current];
}

/** The index just past the comment or quoted text starting at `i`, or `i` when none starts there. */
function skipQuotedOrComment(sql: string, i: number): number {
  const rest = sql.slice(i);
  if (rest.startsWith("--")) {
    const end = sql.indexOf("\n", i);
    return end === -1 ? sql.length : end + 1;
  }
  if (rest.startsWith("/*")) return skipBlockComment(sql, i);
  const wordBefore = i > 0 && /[\w$]/.test(sql[i - 1]!);
  if (sql[i] === "'") {
    const escapes = wordBefore && /(^|[^\w$])[eE]$/.test(sql.slice(Math.max(0, i - 2), i));
    return skipQuoted(sql, i, "'", escapes);
  }
  if (sql[i] === '"') return skipQuoted(sql, i, '"', false);
  const tag = wordBefore ? null : /^\$(?:[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)?\$/.exec(rest);
  if (tag) {
    const end = sql.indexOf(tag[0], i + tag[0].length);
    return end === -1 ? sql.length : end + tag[0].length;
  }
  return i;
}

// Block comments nest in PostgreSQL.
function skipBlockComment(sql: string, i: number): number {
  let depth = 0;
  while (i < sql.length) {
    if (sql.startsWith("/*", i)) {
      depth++;
      i += 2;
    } else if (sql.startsWith("*/", i)) {
      i += 2;
      if (--depth === 0) return i;
    } else {
      i++;
    }
  }
  return i;
}

// A doubled quote is one quote character; in an E'' string a backslash escapes the next character.
function skipQuoted(sql: string, i: number, quote: string, backslashEscapes: boolean): number {
  i++;
  while (i < sql.length) {
    if (backslashEscapes && sql[i] === "\\") i += 2;
    else if (sql[i] === quote && sql[i + 1] === quote) i += 2;
    else if (sql[i] === quote) return i + 1;
    else i++;
  }
  return i;
}
