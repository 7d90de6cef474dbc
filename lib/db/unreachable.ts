/**
 * Whether an error's text says the database could not be reached (node-postgres and Prisma's driver
 * adapter word it these ways), as opposed to a query that failed: the first is an outage to wait out.
 */

const DATABASE_DOWN =
  /ECONNREFUSED|ECONNRESET|Connection terminated|connect ETIMEDOUT|Can't reach database|DatabaseNotReachable|the database system is (starting up|shutting down)/i;

export const isDatabaseUnreachable = (text: string): boolean => DATABASE_DOWN.test(text);
