/**
 * Sessions end two ways: after Auth.js's idle lifetime without use (auth.config.ts), and, however often
 * they are used, AUTH_SESSION_MAX_AGE_DAYS after their sign-in. Every read of a session applies both here.
 */
import "server-only";
import { env } from "@/lib/env";

const DAY_MS = 86_400_000;

/** When a session signed in at `createdAt` ends at the latest. */
export const sessionEndsBy = (createdAt: Date) =>
  new Date(createdAt.getTime() + env.AUTH_SESSION_MAX_AGE_DAYS * DAY_MS);

/** The session's effective expiry: its idle expiry, capped by its absolute lifetime. */
export const effectiveExpiry = (session: { expires: Date; createdAt: Date }) =>
  new Date(Math.min(session.expires.getTime(), sessionEndsBy(session.createdAt).getTime()));

/** Sessions signed in before this moment have outlived AUTH_SESSION_MAX_AGE_DAYS. */
export const signedInTooLongAgo = (now = new Date()) =>
  new Date(now.getTime() - env.AUTH_SESSION_MAX_AGE_DAYS * DAY_MS);
