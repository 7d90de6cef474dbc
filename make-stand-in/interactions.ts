/**
 * The login and consent pages oidc-provider sends the browser to
 * (`interactions.url` -> `/interaction/<uid>`).
 *
 *   GET  /interaction/<uid>          login form or consent page, depending on the prompt
 *   POST /interaction/<uid>/login    fields `login`, `password`
 *   POST /interaction/<uid>/consent  field `decision` = "allow" | "deny", `scope` once per ticked scope
 *
 * The consent page lists each scope not yet granted with a ticked checkbox: unticking one grants fewer
 * scopes than the app asked for, as a user can at Make. With the `organizationBoundConsent` switch it also
 * asks for ONE organization (field `organizationId`; a form without it picks the user's first one), and
 * the grant reaches only that organization.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type Provider from "oidc-provider";

import { organizationsOf, type CatalogOrganization } from "./catalog";
import type { StandInState } from "./controls";
import { escapeHtml, page } from "./html";
import { HttpError, readForm, sendHtml } from "./http-utils";
import { MAKE_SCOPES } from "./provider";
import { authenticate, NUMBERED_USERS, STAND_IN_USERS } from "./users";

const SCOPE_DESCRIPTIONS: Record<string, string> = {
  openid: "Know who you are (your Make user id)",
  "user:read": "Read your Make user profile",
  "organizations:read": "Read your organizations",
  "teams:read": "Read your teams",
  "scenarios:read": "Read your scenarios",
  "scenarios:run": "Run your scenarios",
  "templates:read": "Read your templates",
};

export async function handleInteraction(
  provider: Provider,
  state: StandInState,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<void> {
  const [, , uid, action] = path.split("/"); // "", "interaction", uid, action?
  let details: Awaited<ReturnType<Provider["interactionDetails"]>>;
  try {
    details = await provider.interactionDetails(req, res);
  } catch {
    // Missing or expired interaction cookie: the user took too long or opened an old tab.
    return sendHtml(
      res,
      400,
      page("Sign-in expired", "<p>This sign-in attempt has expired. Go back to the app and start again.</p>"),
    );
  }
  if (details.uid !== uid) throw new HttpError(400, "interaction does not match this browser session");

  const clientId = String(details.params.client_id ?? "");
  // Unsupported scopes (e.g. offline_access) are silently dropped by oidc-provider; do not list them.
  const missing = (details.prompt.details as { missingOIDCScope?: string[] }).missingOIDCScope;
  const scopes = String(details.params.scope ?? "")
    .split(" ")
    .filter(
      (scope) => (MAKE_SCOPES as readonly string[]).includes(scope) && (!missing || missing.includes(scope)),
    );

  if (req.method === "GET" && action === undefined) {
    if (details.prompt.name === "login") return sendHtml(res, 200, loginPage(uid, clientId));
    if (details.prompt.name === "consent") {
      const organizations = state.config.organizationBoundConsent
        ? organizationsOf(details.session?.accountId ?? "")
        : [];
      return sendHtml(res, 200, consentPage(uid, clientId, scopes, organizations));
    }
    throw new HttpError(400, `unsupported prompt ${details.prompt.name}`);
  }

  if (req.method === "POST" && action === "login" && details.prompt.name === "login") {
    const form = await readForm(req);
    const user = authenticate(form.get("login") ?? "", form.get("password") ?? "");
    if (!user) {
      return sendHtml(
        res,
        401,
        loginPage(uid, clientId, "Wrong login or password.", form.get("login") ?? ""),
      );
    }
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: user.sub } },
      { mergeWithLastSubmission: false },
    );
    return;
  }

  if (req.method === "POST" && action === "consent" && details.prompt.name === "consent") {
    const form = await readForm(req);
    if (form.get("decision") !== "allow") {
      // Ends the flow at the client's redirect_uri with error=access_denied.
      await provider.interactionFinished(
        req,
        res,
        { error: "access_denied", error_description: "The user denied access to their Make account" },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    // A form post without the page's per-scope marker (a scripted client) allows everything asked for.
    const ticked = form.has("per-scope") ? new Set(form.getAll("scope")) : undefined;
    const organizationId = state.config.organizationBoundConsent
      ? chosenOrganization(details.session?.accountId ?? "", form.get("organizationId"))
      : undefined;
    const grantId = await grantConsent(provider, details, ticked);
    if (organizationId !== undefined) state.consentOrganizations.set(grantId, organizationId);
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    return;
  }

  throw new HttpError(405, "unsupported interaction request");
}

function chosenOrganization(accountId: string, field: string | null): number {
  const organizations = organizationsOf(accountId);
  const chosen = field === null ? organizations[0] : organizations.find(({ id }) => String(id) === field);
  if (!chosen) throw new HttpError(400, "choose one of your organizations");
  return chosen.id;
}

/** Records what the user allowed in a Grant: `openid` and the scopes left ticked. */
async function grantConsent(
  provider: Provider,
  details: Awaited<ReturnType<Provider["interactionDetails"]>>,
  ticked: ReadonlySet<string> | undefined,
): Promise<string> {
  const accountId = details.session?.accountId;
  if (!accountId) throw new HttpError(400, "consent without a signed-in user");
  const grant = details.grantId
    ? ((await provider.Grant.find(details.grantId)) ??
      new provider.Grant({ accountId, clientId: String(details.params.client_id) }))
    : new provider.Grant({ accountId, clientId: String(details.params.client_id) });

  const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
  const allowed = (missing.missingOIDCScope ?? []).filter(
    (scope) => !ticked || scope === "openid" || ticked.has(scope),
  );
  if (allowed.length) grant.addOIDCScope(allowed.join(" "));
  if (missing.missingOIDCClaims?.length) grant.addOIDCClaims(missing.missingOIDCClaims);
  return grant.save();
}

function loginPage(uid: string, clientId: string, error?: string, login = ""): string {
  const users = [
    ...STAND_IN_USERS.map((user) => `<code>${escapeHtml(user.login)}</code>`),
    `<code>user-1</code> … <code>user-${NUMBERED_USERS}</code>`,
  ].join(", ");
  return page(
    "Sign in to Make",
    `<p><code>${escapeHtml(clientId)}</code> wants you to sign in.</p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ""}
<form method="post" action="/interaction/${escapeHtml(uid)}/login" autocomplete="off">
  <label for="login">Login</label>
  <input id="login" name="login" value="${escapeHtml(login)}" required autofocus>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" required>
  <button type="submit">Sign in</button>
</form>
<p class="note">Test users: ${users}. Password: <code>password</code>.</p>`,
  );
}

function organizationChoice(organizations: readonly CatalogOrganization[]): string {
  if (!organizations.length) return "";
  const options = organizations
    .map(
      ({ id, name }, index) =>
        `<li><label><input type="radio" name="organizationId" value="${id}"${index === 0 ? " checked" : ""}> ` +
        `${escapeHtml(name)}</label></li>`,
    )
    .join("\n");
  return `<fieldset><legend>Organization this app may access</legend><ul>\n${options}\n</ul></fieldset>`;
}

function consentPage(
  uid: string,
  clientId: string,
  scopes: string[],
  organizations: readonly CatalogOrganization[],
): string {
  const items = scopes
    .map((scope) =>
      scope === "openid"
        ? `<li><code>openid</code> ${escapeHtml(SCOPE_DESCRIPTIONS.openid!)}</li>`
        : `<li><label><input type="checkbox" name="scope" value="${escapeHtml(scope)}" checked> ` +
          `<code>${escapeHtml(scope)}</code> ${escapeHtml(SCOPE_DESCRIPTIONS[scope] ?? "")}</label></li>`,
    )
    .join("\n");
  return page(
    "Allow access to your Make account?",
    `<p><code>${escapeHtml(clientId)}</code> is asking for:</p>
<form method="post" action="/interaction/${escapeHtml(uid)}/consent">
  <input type="hidden" name="per-scope" value="1">
  <ul>
${items}
  </ul>
  ${organizationChoice(organizations)}
  <button type="submit" name="decision" value="allow">Allow</button>
  <button type="submit" name="decision" value="deny">Deny</button>
</form>`,
  );
}
