/**
 * Resident memory and CPU time of the app server, read from /proc (Linux): `next start` and any process
 * it spawned. CPU time per request is the steadiest cost figure on a shared machine, since waiting for a
 * core does not count. No garbage collection is forced: memory is what the host would see.
 */
import { readdirSync, readFileSync } from "node:fs";

/** Linux reports CPU time in USER_HZ ticks, 100 per second on every mainstream kernel configuration. */
const TICKS_PER_SECOND = 100;

function processTree(pid: number): number[] {
  const children: number[] = [];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const list = readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").trim();
      if (list) children.push(...list.split(/\s+/).map(Number));
    }
  } catch {
    return [pid];
  }
  return [pid, ...children.flatMap(processTree)];
}

function sumOverTree(pid: number, read: (id: number) => number): number {
  let total = 0;
  for (const id of processTree(pid)) {
    try {
      total += read(id);
    } catch {
      if (id === pid) return NaN; // no /proc here, or the server is gone
    }
  }
  return total;
}

/** Bytes of resident memory, or NaN where /proc is not available. */
export const residentBytes = (pid: number) =>
  sumOverTree(
    pid,
    (id) => Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${id}/status`, "utf8"))?.[1] ?? 0) * 1024,
  );

/** Milliseconds of CPU (user + system) used so far, or NaN where /proc is not available. */
export const cpuMs = (pid: number) =>
  sumOverTree(pid, (id) => {
    // The command name (field 2) may contain spaces and parentheses; the fields after the last ")" do not.
    const stat = readFileSync(`/proc/${id}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  });
