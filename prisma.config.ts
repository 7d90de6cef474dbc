// Prisma 7 reads the datasource URL here, not from schema.prisma.
// @see https://www.prisma.io/docs/orm/reference/prisma-config-reference
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost:5432/unused" },
});
