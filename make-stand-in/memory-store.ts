/**
 * In-memory storage for oidc-provider, one store per stand-in instance.
 *
 * Why not oidc-provider's built-in MemoryAdapter: it is bound to one Provider
 * instance, while the stand-in builds a new Provider when signing keys rotate
 * (oidc-provider fixes its keystore at construction). Sharing this store across
 * those Provider instances keeps grants, tokens, sessions and interactions alive
 * over a key rotation. Two stand-ins in one process never see each other's data.
 */
import type { Adapter, AdapterFactory, AdapterPayload } from "oidc-provider";

interface Entry {
  payload: AdapterPayload;
  expiresAt: number; // epoch ms, Infinity when the model has no expiry
}

export function createMemoryStore(): AdapterFactory {
  const entries = new Map<string, Entry>();
  const grantMembers = new Map<string, Set<string>>(); // grantId -> entry keys
  const sessionUids = new Map<string, string>(); // session uid -> session id
  const userCodes = new Map<string, string>(); // device flow, unused but part of the interface

  function read(key: string): AdapterPayload | undefined {
    const entry = entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      entries.delete(key);
      return undefined;
    }
    return entry.payload;
  }

  return (model: string): Adapter => {
    const keyFor = (id: string) => `${model}:${id}`;

    return {
      async upsert(id, payload, expiresIn) {
        const key = keyFor(id);
        const expiresAt = typeof expiresIn === "number" ? Date.now() + expiresIn * 1000 : Infinity;
        entries.set(key, { payload, expiresAt });
        if (model === "Session" && payload.uid) sessionUids.set(payload.uid, id);
        if (payload.userCode) userCodes.set(payload.userCode, id);
        if (payload.grantId) {
          const members = grantMembers.get(payload.grantId) ?? new Set<string>();
          members.add(key);
          grantMembers.set(payload.grantId, members);
        }
      },
      async find(id) {
        return read(keyFor(id));
      },
      async findByUid(uid) {
        const id = sessionUids.get(uid);
        return id === undefined ? undefined : read(keyFor(id));
      },
      async findByUserCode(userCode) {
        const id = userCodes.get(userCode);
        return id === undefined ? undefined : read(keyFor(id));
      },
      async consume(id) {
        // Refresh-token reuse detection depends on consumed tokens staying findable.
        const payload = read(keyFor(id));
        if (payload) payload.consumed = Math.floor(Date.now() / 1000);
      },
      async destroy(id) {
        entries.delete(keyFor(id));
      },
      async revokeByGrantId(grantId) {
        for (const key of grantMembers.get(grantId) ?? []) entries.delete(key);
        grantMembers.delete(grantId);
      },
    };
  };
}
