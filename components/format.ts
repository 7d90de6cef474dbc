const dateTime = new Intl.DateTimeFormat("en-GB", {
  dateStyle: "medium",
  timeStyle: "medium",
  timeZone: "UTC",
});

/** Dates on the dashboard: absolute, in UTC, so the server render is the same for everyone. */
export const formatDate = (date: Date | null) => (date ? `${dateTime.format(date)} UTC` : "never");

export function formatRelative(date: Date | null, now = Date.now()) {
  if (!date) return "";
  const seconds = Math.round((date.getTime() - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 5) return "just now";
  const span =
    abs < 90 ? `${abs} s` : abs < 5400 ? `${Math.round(abs / 60)} min` : `${Math.round(abs / 3600)} h`;
  return seconds >= 0 ? `in ${span}` : `${span} ago`;
}
