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

/**
 * Many users at once (the soak, load tests): `user-1` … `user-1000`, password `password`, sub
 * 2000001 … 2001000, all members of one shared organization (catalog.ts), with `sub` only, like `sub-only`.
 */
export const NUMBERED_USERS = 1000;
const NUMBERED_SUB_BASE = 2_000_000;

export const numberedUserLogin = (n: number) => `user-${n}`;
export const numberedUserSub = (n: number) => String(NUMBERED_SUB_BASE + n);

function numberedUser(n: number): StandInUser | undefined {
  if (!Number.isInteger(n) || n < 1 || n > NUMBERED_USERS) return undefined;
  return { login: numberedUserLogin(n), password: "password", sub: numberedUserSub(n) };
}

function numberedUserBySub(sub: string): StandInUser | undefined {
  const user = numberedUser(Number(sub) - NUMBERED_SUB_BASE);
  return user?.sub === sub ? user : undefined;
}

export const isNumberedUserSub = (sub: string) => numberedUserBySub(sub) !== undefined;

export function findUserBySub(sub: string): StandInUser | undefined {
  return numberedUserBySub(sub) ?? STAND_IN_USERS.find((user) => user.sub === sub);
}

/** Constant-ish lookup; this is a test server, so timing attacks are not a concern. */
export function authenticate(login: string, password: string): StandInUser | undefined {
  const numbered = /^user-([1-9]\d{0,3})$/.exec(login);
  const user = numbered
    ? numberedUser(Number(numbered[1]))
    : STAND_IN_USERS.find((candidate) => candidate.login === login);
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
