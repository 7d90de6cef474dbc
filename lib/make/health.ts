/**
 * Whether Make's authorization server answers discovery, for /api/health. Cached like every discovery.
 */
import "server-only";
import { authorizationServer } from "@/lib/make/authorization-server";

export async function checkMakeHealth(): Promise<void> {
  await authorizationServer();
}
