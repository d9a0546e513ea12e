/**
 * Whole process trees from /proc: which processes descend from a pid, their proportional
 * set size (PSS: each shared page divided among the processes that map it, so the sum over
 * a tree is what the tree costs the machine) and CPU time.
 */
import fs from 'node:fs';

const ticksPerSecond = 100; // USER_HZ on Linux

export interface ProcSample {
  pid: number;
  ppid: number;
  comm: string;
  cpuSeconds: number;
  pssBytes: number;
}

function parentOf(pid: number): { ppid: number; comm: string; cpuSeconds: number } | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    return {
      ppid: Number(fields[1]),
      comm,
      cpuSeconds: (Number(fields[11]) + Number(fields[12])) / ticksPerSecond,
    };
  } catch {
    return undefined;
  }
}

/** PSS in bytes from /proc/<pid>/smaps_rollup (needs root for other users' processes); 0 if gone. */
export function pssOf(pid: number): number {
  try {
    const text = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    return Number(/^Pss:\s+(\d+) kB/m.exec(text)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/** Every process now running, with its parent. */
function all(): Map<number, { ppid: number; comm: string; cpuSeconds: number }> {
  const out = new Map<number, { ppid: number; comm: string; cpuSeconds: number }>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const p = parentOf(Number(name));
    if (p) out.set(Number(name), p);
  }
  return out;
}

/** The processes of the trees rooted at `roots` (the roots included), with PSS and CPU time. */
export function sampleTrees(roots: number[]): ProcSample[] {
  const procs = all();
  const children = new Map<number, number[]>();
  for (const [pid, p] of procs) {
    const list = children.get(p.ppid) ?? [];
    list.push(pid);
    children.set(p.ppid, list);
  }
  const seen = new Set<number>();
  const queue = roots.filter((r) => procs.has(r));
  while (queue.length > 0) {
    const pid = queue.shift()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return [...seen].map((pid) => {
    const p = procs.get(pid)!;
    return { pid, ppid: p.ppid, comm: p.comm, cpuSeconds: p.cpuSeconds, pssBytes: pssOf(pid) };
  });
}

/** The descendants of `root` (not `root` itself) whose command name matches. */
export function findDescendant(root: number, comm: RegExp): number | undefined {
  return sampleTrees([root]).find((p) => p.pid !== root && comm.test(p.comm))?.pid;
}

/**
 * Samples trees once a second for `seconds` and sums them by part (`partOf` names the part
 * of each process). CPU is the CPU time each process used in the window (processes that
 * started in it count from zero, those that ended in it are lost: a few short-lived probes).
 */
export async function measureTrees(
  roots: () => number[],
  partOf: (p: ProcSample) => string,
  seconds: number,
): Promise<{
  seconds: number;
  parts: Record<string, { pssMeanMb: number; pssPeakMb: number; cpuPercent: number }>;
}> {
  const first = new Map(sampleTrees(roots()).map((p) => [p.pid, p]));
  const startedAt = performance.now();
  const pss: Record<string, number[]> = {};
  let last: ProcSample[] = [...first.values()];
  for (let s = 0; s < seconds; s++) {
    await new Promise((r) => setTimeout(r, 1000));
    last = sampleTrees(roots());
    const byPart: Record<string, number> = {};
    for (const p of last) byPart[partOf(p)] = (byPart[partOf(p)] ?? 0) + p.pssBytes;
    byPart.total = Object.values(byPart).reduce((a, b) => a + b, 0);
    for (const [part, bytes] of Object.entries(byPart)) (pss[part] ??= []).push(bytes);
  }
  const elapsed = (performance.now() - startedAt) / 1000;
  const cpu: Record<string, number> = { total: 0 };
  for (const p of last) {
    const used = p.cpuSeconds - (first.get(p.pid)?.cpuSeconds ?? 0);
    cpu[partOf(p)] = (cpu[partOf(p)] ?? 0) + used;
    cpu.total = (cpu.total ?? 0) + used;
  }
  const mb = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;
  const parts: Record<string, { pssMeanMb: number; pssPeakMb: number; cpuPercent: number }> = {};
  for (const [part, values] of Object.entries(pss)) {
    parts[part] = {
      pssMeanMb: mb(values.reduce((a, b) => a + b, 0) / values.length),
      pssPeakMb: mb(Math.max(...values)),
      cpuPercent: Math.round(((cpu[part] ?? 0) / elapsed) * 10000) / 100,
    };
  }
  return { seconds: Math.round(elapsed * 10) / 10, parts };
}
