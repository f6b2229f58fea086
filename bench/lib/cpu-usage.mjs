// CPU time spent by a server (its process and every descendant, e.g. cluster
// workers), read from /proc. Requests per CPU-second is the figure that stays
// comparable when other work shares the machine; wall-clock req/s does not.
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

function statOf(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const command = text.slice(text.indexOf('(') + 1, text.lastIndexOf(')'));
    return { command, ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system) of `pid` and its live descendants; undefined where /proc is missing. */
export function treeCpuSeconds(pid) {
  if (!statOf(pid)) return undefined;
  const children = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const s = statOf(entry);
    if (!s) continue;
    if (!children.has(s.ppid)) children.set(s.ppid, []);
    children.get(s.ppid).push({ pid: Number(entry), ticks: s.ticks });
  }
  let ticks = statOf(pid).ticks;
  const stack = [pid];
  while (stack.length) {
    for (const child of children.get(stack.pop()) ?? []) {
      ticks += child.ticks;
      stack.push(child.pid);
    }
  }
  return ticks / TICKS_PER_SECOND;
}

/** CPU seconds (user + system) of every live process named `command` (e.g. `postgres`: its backends and helpers). */
export function commandCpuSeconds(command) {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const s = statOf(entry);
    if (s?.command === command) ticks += s.ticks;
  }
  return ticks / TICKS_PER_SECOND;
}

/** The 1-minute load average, to tell a quiet machine from a busy one. */
export function loadAverage() {
  try {
    return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  } catch {
    return undefined;
  }
}
