import fs from 'node:fs';
import os from 'node:os';

const ticksPerSecond = 100; // USER_HZ on Linux

/**
 * CPU time (seconds) and resident memory (bytes) of a process, from /proc; `childCpuSeconds`
 * is the CPU time of its children that it has waited for (programs it runs, like xprop).
 * `rssAnonBytes` is the part of RSS that is the process's own memory (heaps, stacks); the
 * rest is mostly files mapped from disk, above all the node executable's code, which other
 * node processes share and the kernel can drop and read again.
 */
export function readProc(
  pid: number,
): { cpuSeconds: number; childCpuSeconds: number; rssBytes: number; rssAnonBytes: number } | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    const anonKb = Number(/RssAnon:\s+(\d+)/.exec(status)?.[1] ?? 0);
    const children = Number(fields[13]) + Number(fields[14]);
    return {
      cpuSeconds: (utime + stime) / ticksPerSecond,
      childCpuSeconds: children / ticksPerSecond,
      rssBytes: rssKb * 1024,
      rssAnonBytes: anonKb * 1024,
    };
  } catch {
    return undefined;
  }
}

/** Samples a process every `intervalMs`; `stop()` returns CPU (% of one core) and RSS (peak, mean). */
export function sampleProcess(pid: number, intervalMs = 1000) {
  const start = readProc(pid);
  const startedAt = performance.now();
  const rss: number[] = [];
  const timer = setInterval(() => {
    const now = readProc(pid);
    if (now) rss.push(now.rssBytes);
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      const end = readProc(pid);
      const seconds = (performance.now() - startedAt) / 1000;
      const cpuPercent = start && end ? ((end.cpuSeconds - start.cpuSeconds) / seconds) * 100 : NaN;
      const peak = Math.max(...rss, end?.rssBytes ?? 0);
      const mean = rss.length ? rss.reduce((a, b) => a + b, 0) / rss.length : (end?.rssBytes ?? NaN);
      return { cpuPercent, rssPeakMb: peak / 2 ** 20, rssMeanMb: mean / 2 ** 20, seconds };
    },
  };
}

/** The machine's CPU time from /proc/stat (all cores, in ticks): the total and the steal. */
function cpuTicks(): { total: number; steal: number } {
  const fields = (fs.readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1);
  // user nice system idle iowait irq softirq steal (guest time is already in user)
  const ticks = fields.slice(0, 8).map(Number);
  return { total: ticks.reduce((a, b) => a + b, 0), steal: ticks[7] ?? 0 };
}

/**
 * What share of the machine's CPU time the hypervisor gave to other guests over a window:
 * on a shared virtual machine every process here waits for it, and the load average does
 * not show it.
 */
export function sampleMachine() {
  const start = cpuTicks();
  return {
    stop() {
      const end = cpuTicks();
      const total = end.total - start.total;
      return { stealPercent: total > 0 ? ((end.steal - start.steal) / total) * 100 : 0 };
    },
  };
}

export function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
  };
}

/** A process and every process under it (from /proc's parent links). */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      // gone
    }
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) out.push(...(children.get(out[i]!) ?? []));
  return out;
}

/**
 * PSS (proportional set size: each shared page divided among the processes sharing it) of
 * a process tree, in MB, from /proc/<pid>/smaps_rollup; `chromium` is the part in Chromium
 * processes. PSS adds up across processes, unlike RSS.
 */
export function treePss(root: number): { totalMb: number; chromiumMb: number; processes: number } {
  let total = 0;
  let chromium = 0;
  let processes = 0;
  for (const pid of processTree(root)) {
    try {
      const kb = Number(
        /^Pss:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0,
      );
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      total += kb;
      if (cmd.includes('chromium')) chromium += kb;
      processes++;
    } catch {
      // gone
    }
  }
  return {
    totalMb: Math.round(total / 102.4) / 10,
    chromiumMb: Math.round(chromium / 102.4) / 10,
    processes,
  };
}
