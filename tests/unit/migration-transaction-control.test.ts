// Which migration files the runner must not wrap in its own transaction (scripts/database/migrate.ts).
import { describe, expect, it } from "vitest";

import { transactionControlStatements } from "../../scripts/database/transaction-control";

describe("transactionControlStatements", () => {
  it("finds the BEGIN; … COMMIT; that Prisma writes around an enum change", () => {
    const sql = `-- AlterEnum
BEGIN;
CREATE TYPE "ConnectionState_new" AS ENUM ('active', 'revoked');
ALTER TYPE "ConnectionState" RENAME TO "ConnectionState_old";
COMMIT;
`;
    expect(transactionControlStatements(sql)).toEqual(["BEGIN", "COMMIT"]);
  });

  it("finds every spelling that begins or ends a transaction", () => {
    const sql =
      "start  transaction; end; Rollback; abort; commit and chain; prepare transaction 'x'; begin work";
    expect(transactionControlStatements(sql)).toEqual([
      "START TRANSACTION",
      "END",
      "ROLLBACK",
      "ABORT",
      "COMMIT",
      "PREPARE TRANSACTION",
      "BEGIN",
    ]);
  });

  it("ignores statements that stay inside the transaction", () => {
    const sql =
      "SAVEPOINT s; ROLLBACK TO SAVEPOINT s; rollback work to s; RELEASE s; PREPARE q AS SELECT 1; " +
      'CREATE TABLE "Commit" ("begin" TEXT); ALTER TABLE "Commit" RENAME COLUMN "begin" TO "end";';
    expect(transactionControlStatements(sql)).toEqual([]);
  });

  it("ignores BEGIN and END inside dollar-quoted bodies, strings and comments", () => {
    const sql = `
DO $$ BEGIN
  CREATE TYPE "State" AS ENUM ('a'); COMMIT;
EXCEPTION WHEN duplicate_object THEN NULL; END $$;
CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $body$ BEGIN END; $body$;
CREATE FUNCTION g() RETURNS text LANGUAGE sql AS 'SELECT ''x''; COMMIT';
SELECT E'it\\'s; COMMIT', 'a\\'; -- BEGIN;
/* COMMIT; /* nested */ ROLLBACK; */ SELECT "odd;""name" FROM t;
`;
    expect(transactionControlStatements(sql)).toEqual([]);
  });

  it("treats $1 and identifiers containing $ as code, not dollar quotes", () => {
    expect(transactionControlStatements("SELECT a$b$ FROM t; COMMIT; SELECT $1;")).toEqual(["COMMIT"]);
  });
});
