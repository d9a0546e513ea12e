import fs from 'node:fs';
import { processTree } from '../../bench/lib/proc.js';

/** The processes a process started, and theirs, from /proc (the benchmarks' own walk). */
export const descendants = (root: number): number[] => processTree(root).slice(1);

/** A process's command line, words joined by spaces; '' once it has gone. */
export function cmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}
