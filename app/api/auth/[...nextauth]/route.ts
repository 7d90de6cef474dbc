import { handlers } from "@/lib/auth/route-handlers";

// Long enough for the revocations a sign-in may start (lib/make/README.md, "Time limits on the platform").
export const maxDuration = 60;

export const { GET, POST } = handlers;
