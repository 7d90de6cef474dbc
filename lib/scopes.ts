/**
 * Reads a list of OAuth scopes: Make writes them space-separated in token responses and accepts commas in
 * a request, so both separate. The one parser for configuration, stored grants and form fields.
 */

export const parseScopes = (text: string | null | undefined): string[] =>
  (text ?? "").split(/[\s,]+/).filter(Boolean);
