/**
 * "Download my data": everything the app stores about one user, as JSON. Each table's fields are picked
 * by name (an allowlist), so a token, a session token's hash or a ciphertext cannot slip in: the Account
 * row's token columns and Session.sessionToken are simply not selected. Add your own tables here.
 */
import "server-only";
import { db } from "@/lib/db";
import { exportMakeData } from "@/lib/make";

export async function exportUserData(userId: string) {
  const [user, accounts, sessions, scenarioRuns, make] = await Promise.all([
    db.user.findUniqueOrThrow({
      where: { id: userId },
      select: { id: true, name: true, email: true, emailVerified: true, image: true, createdAt: true },
    }),
    db.account.findMany({
      where: { userId },
      select: {
        provider: true,
        providerAccountId: true,
        type: true,
        scope: true,
        token_type: true,
        expires_at: true,
        state: true,
        issuer: true,
        clientType: true,
        connectedAt: true,
        lastRefreshedAt: true,
        lastError: true,
        lastErrorAt: true,
      },
    }),
    db.session.findMany({ where: { userId }, select: { createdAt: true, expires: true } }),
    db.scenarioRun.findMany({
      where: { userId },
      orderBy: { createdAt: "asc" },
      select: {
        scenarioId: true,
        organizationId: true,
        zone: true,
        status: true,
        executionId: true,
        problemKind: true,
        problemMessage: true,
        executionStatus: true,
        executionError: true,
        finishedAt: true,
        createdAt: true,
      },
    }),
    exportMakeData(userId),
  ]);
  return { exportedAt: new Date().toISOString(), user, accounts, sessions, scenarioRuns, make };
}
