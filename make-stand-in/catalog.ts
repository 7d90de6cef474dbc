/**
 * What the stand-in's Make API knows about its test users: organizations in two zones, their teams and
 * scenarios. Zones are slots here (0 = the first zone, 1 = the second); the server gives each slot its
 * local origin (`127.0.0.1:<port>`) when it starts, and that host is the organization's `zone`.
 */
import { isNumberedUserSub } from "./users";

export interface CatalogOrganization {
  id: number;
  name: string;
  zoneSlot: 0 | 1;
  countryId: number;
  timezoneId: number;
}

export interface CatalogTeam {
  id: number;
  name: string;
  organizationId: number;
  /** Personal teams (Make's "private spaces"), listed only with `includePrivateSpaces=true`. */
  type?: "personal";
  /** Whose personal team this is. */
  ownerSub?: string;
}

export interface CatalogScenario {
  id: number;
  name: string;
  teamId: number;
  folderId: number | null;
  description: string;
  isActive: boolean;
  isPaused: boolean;
  isinvalid: boolean;
  lastEdit: string;
  created: string;
  scheduling: { type: string; interval?: number; time?: string };
  usedPackages: string[];
  dlqCount: number;
  operations: number;
  transfer: number;
}

const ANALYTICAL_ENGINES: CatalogOrganization = {
  id: 5001,
  name: "Analytical Engines Ltd",
  zoneSlot: 0,
  countryId: 1,
  timezoneId: 113,
};

const MALLORY_ESCAPES =
  "\u001b]0;owned\u0007Mallory Labs\u001b[2K\r\u001b[32m✓ All checks passed\u001b[0m\u009b2J";

const ORGANIZATIONS: Readonly<Record<string, CatalogOrganization[]>> = {
  "1001": [
    ANALYTICAL_ENGINES,
    { id: 5011, name: "Difference Engine Inc.", zoneSlot: 1, countryId: 2, timezoneId: 42 },
  ],
  // Ada's colleagues (colleague-1 … colleague-4): members of her first organization only.
  ...Object.fromEntries([1011, 1012, 1013, 1014].map((sub) => [String(sub), [ANALYTICAL_ENGINES]])),
  "1002": [{ id: 5002, name: "Organization 5002", zoneSlot: 0, countryId: 1, timezoneId: 113 }],
  "1003": [
    { id: 5003, name: "<b>Mallory & Co</b>", zoneSlot: 0, countryId: 1, timezoneId: 113 },
    // Terminal escape sequences (a window title, a cleared line, a forged verdict) for what prints names.
    { id: 5006, name: MALLORY_ESCAPES, zoneSlot: 0, countryId: 1, timezoneId: 113 },
  ],
};

/** The one organization every numbered user (users.ts) belongs to, like the many members of one company. */
export const SHARED_ORGANIZATION_ID = 5004;
const SHARED_ORGANIZATION: CatalogOrganization = {
  id: SHARED_ORGANIZATION_ID,
  name: "Shared organization",
  zoneSlot: 0,
  countryId: 1,
  timezoneId: 113,
};

const TEAMS: readonly CatalogTeam[] = [
  { id: 7001, name: "Engineering", organizationId: 5001 },
  { id: 7002, name: "Operations", organizationId: 5001 },
  { id: 7011, name: "Research", organizationId: 5011 },
  { id: 7012, name: "Archive", organizationId: 5011 },
  { id: 7021, name: "My team", organizationId: 5002 },
  { id: 7003, name: "<i>Team</i> & friends", organizationId: 5003 },
  { id: 7041, name: "Everyone", organizationId: SHARED_ORGANIZATION_ID },
  { id: 7008, name: "Ada's space", organizationId: 5001, type: "personal", ownerSub: "1001" },
];

const SCHEDULES = [
  { type: "indefinitely", interval: 900 },
  { type: "on-demand" },
  { type: "immediately" },
  { type: "daily", time: "08:00" },
] as const;

const PACKAGES = [["google-sheets", "slack"], ["gateway", "json"], ["http"], ["gmail", "openai-gpt-3"]];

function scenario(id: number, teamId: number, name: string, index: number): CatalogScenario {
  // Deterministic variety: every 3rd inactive, every 7th paused, one invalid, edits an hour apart.
  const lastEdit = new Date(Date.UTC(2026, 9, 1, 12) - index * 3_600_000).toISOString();
  return {
    id,
    name,
    teamId,
    folderId: index % 4 === 0 ? null : 100 + (index % 3),
    description: "",
    isActive: index % 3 !== 2,
    isPaused: index % 7 === 6,
    isinvalid: index === 4,
    lastEdit,
    created: new Date(Date.parse(lastEdit) - 30 * 86_400_000).toISOString(),
    scheduling: { ...SCHEDULES[index % SCHEDULES.length]! },
    usedPackages: PACKAGES[index % PACKAGES.length]!,
    dlqCount: index === 4 ? 2 : 0,
    operations: 120 * (index + 1),
    transfer: 4096 * (index + 1),
  };
}

const SCENARIOS: readonly CatalogScenario[] = [
  // Enough in one team to need several pages.
  ...Array.from({ length: 60 }, (_, i) => scenario(9000 + i, 7001, `Sync orders batch ${i + 1}`, i)),
  scenario(9100, 7002, "Invoice reminders", 0),
  scenario(9101, 7002, "Weekly report", 1),
  scenario(9102, 7002, "Support triage", 2),
  scenario(9200, 7011, "Lab results to Sheets", 0),
  scenario(9201, 7011, "Paper digest", 3),
  scenario(9300, 7003, '<img src=x onerror=alert("scenario")>', 0),
  scenario(9400, 7041, "Welcome emails", 0),
  scenario(9401, 7041, "CRM sync", 1),
  scenario(9402, 7041, "Daily digest", 3),
];

export function organizationsOf(sub: string): readonly CatalogOrganization[] {
  return ORGANIZATIONS[sub] ?? (isNumberedUserSub(sub) ? [SHARED_ORGANIZATION] : []);
}

/** The organization's teams; a user's own personal team too when `privateSpacesOf` names them. */
export function teamsOf(organizationId: number, privateSpacesOf?: string): CatalogTeam[] {
  return TEAMS.filter(
    (team) => team.organizationId === organizationId && (!team.ownerSub || team.ownerSub === privateSpacesOf),
  );
}

export function findTeam(teamId: number): CatalogTeam | undefined {
  return TEAMS.find((team) => team.id === teamId);
}

export function findScenario(scenarioId: number): CatalogScenario | undefined {
  return SCENARIOS.find((item) => item.id === scenarioId);
}

export function scenariosOfTeams(teamIds: ReadonlySet<number>): CatalogScenario[] {
  return SCENARIOS.filter((item) => teamIds.has(item.teamId));
}
