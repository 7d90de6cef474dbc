/**
 * Text from outside (Make's organization names, zones, error messages) made safe to print on a terminal or
 * in one log line: control characters (C0, C1, DEL) and bidirectional overrides removed, so an escape
 * sequence can neither rewrite the screen nor forge a line. Used by the logger and `npm run make:doctor`.
 */
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g;

/** `text` without control characters; tabs and line breaks become spaces. */
export const printable = (text: string): string => text.replace(/[\t\n]/g, " ").replace(CONTROL, "");
