/**
 * Starts one real PostgreSQL server for the whole run (a temporary cluster, or TEST_DATABASE_URL) and
 * hands its URL to the test files, which each create their own database in it.
 */
import type { TestProject } from "vitest/node";
import { startPostgres } from "./postgres";

declare module "vitest" {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const postgres = await startPostgres();
  project.provide("postgresUrl", postgres.url);
  return () => postgres.close();
}
