/**
 * The product's name and one-line description, used by the page titles, the landing page, the dashboard
 * header and the web app manifest. Renaming the app starts here (docs/extending.md, "Rename the app").
 */
export const site = {
  name: "Make connection starter",
  description: "Sign in with Make over OpenID Connect and keep the Make connection alive.",
} as const;
