/**
 * Test users of the local Make stand-in.
 *
 * `sub` values look like Make user ids (numeric strings); the Make REST API
 * returns the same id as a number. `picture` is a path relative to the stand-in's
 * issuer (the issuer is only known once the server listens); userinfo turns it
 * into an absolute URL.
 */

export interface StandInUser {
  login: string;
  password: string;
  sub: string;
  name?: string;
  email?: string;
  picture?: string;
}

// A 500-character, email-looking value that contains markup: long enough to
// break layouts that do not wrap, hostile enough to catch missing escaping.
const MALLORY_EMAIL = (() => {
  const head = '"><script>alert(2)</script>';
  const tail = "@example.com";
  return head + "m".repeat(500 - head.length - tail.length) + tail;
})();

export const STAND_IN_USERS: ReadonlyArray<StandInUser> = Object.freeze([
  {
    login: "ada",
    password: "password",
    sub: "1001",
    name: "Ada Lovelace",
    email: "ada@example.com",
    picture: "/avatars/ada.svg",
  },
  // No profile data at all: proves the app works with nothing but `sub`.
  { login: "sub-only", password: "password", sub: "1002" },
  {
    login: "mallory",
    password: "password",
    sub: "1003",
    name: "<img src=x onerror=alert(1)>",
    email: MALLORY_EMAIL,
  },
  // Ada's colleagues in "Analytical Engines Ltd": several people spending one organization's API budget.
  ...[1, 2, 3, 4].map((n) => ({
    login: `colleague-${n}`,
    password: "password",
    sub: String(1010 + n),
    name: `Colleague ${n}`,
    email: `colleague-${n}@example.com`,
  })),
]);

export function findUserBySub(sub: string): StandInUser | undefined {
  return STAND_IN_USERS.find((user) => user.sub === sub);
}

/** Constant-ish lookup; this is a test server, so timing attacks are not a concern. */
export function authenticate(login: string, password: string): StandInUser | undefined {
  const user = STAND_IN_USERS.find((candidate) => candidate.login === login);
  return user && user.password === password ? user : undefined;
}

/** The SVG served at `/avatars/<login>.svg`, or undefined for unknown users. */
export function avatarSvg(login: string): string | undefined {
  const user = STAND_IN_USERS.find((candidate) => candidate.login === login && candidate.picture);
  if (!user) return undefined;
  const initial = (user.name ?? user.login).charAt(0).toUpperCase();
  return `<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96" viewBox="0 0 96 96">
<rect width="96" height="96" rx="48" fill="#6d00cc"/>
<text x="48" y="62" font-family="sans-serif" font-size="44" fill="#fff" text-anchor="middle">${initial}</text>
</svg>`;
}
