/**
 * A `timestamp(3)` column read through PostgreSQL's JSON functions: Prisma stores UTC there, and JSON renders
 * it without a zone, so it is read back as UTC. For the statements that build JSON instead of using Prisma.
 */

export const timestampFromJson = (value: unknown): Date => new Date(`${value as string}Z`);
