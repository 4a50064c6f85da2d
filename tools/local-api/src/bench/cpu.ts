import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/** Clock ticks per second of /proc's times. */
const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** The fields of /proc/<pid>/stat after the command name (which may contain spaces). */
function statFields(pid: number | "self"): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system) of a process — every thread — and of its children it has reaped. */
export function processCpu(pid: number | "self"): { own: number; reaped: number } {
  const fields = statFields(pid);
  if (!fields) return { own: 0, reaped: 0 };
  // After the name: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14)
  const [utime, stime, cutime, cstime] = [11, 12, 13, 14].map((i) => Number(fields[i]));
  return { own: (utime! + stime!) / TICKS_PER_SECOND, reaped: (cutime! + cstime!) / TICKS_PER_SECOND };
}

/**
 * CPU seconds of a whole PostgreSQL server so far: the postmaster, its live children, and the
 * children it has reaped (backends of closed connections).
 */
export function postgresCpu(postmasterPid: number): number {
  const postmaster = processCpu(postmasterPid);
  let children = 0;
  for (const entry of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    const fields = statFields(Number(entry));
    if (fields && Number(fields[1]) === postmasterPid) children += processCpu(Number(entry)).own;
  }
  return postmaster.own + postmaster.reaped + children;
}

/** The postmaster of the server a backend belongs to: the backend's parent. */
export function parentPid(pid: number): number {
  return Number(statFields(pid)?.[1] ?? Number.NaN);
}
