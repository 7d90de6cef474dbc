/** Minimal HTML rendering for the stand-in's pages. Every dynamic value goes through `escapeHtml`. */

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

/** `body` must already be escaped markup. */
export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Make (local stand-in)</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 28rem; margin: 3rem auto; padding: 0 1rem; color: #1f1f1f; }
  h1 { font-size: 1.4rem; }
  label { display: block; margin: .75rem 0 .25rem; }
  input { width: 100%; padding: .5rem; box-sizing: border-box; }
  li label { display: inline; margin: 0; }
  input[type="checkbox"] { width: auto; padding: 0; }
  button { margin-top: 1rem; margin-right: .5rem; padding: .5rem 1.25rem; }
  .error { color: #b00020; }
  .note { color: #555; font-size: .9rem; }
  code { overflow-wrap: anywhere; }
</style>
</head>
<body>
<p class="note">Local stand-in for Make's sign-in. Not the real Make.</p>
<h1>${escapeHtml(title)}</h1>
${body}
</body>
</html>`;
}
