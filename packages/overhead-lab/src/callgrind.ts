import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** True when valgrind and callgrind_control are on the PATH. */
export function hasValgrind(): boolean {
  return spawnSync('valgrind', ['--version'], { stdio: 'ignore' }).status === 0 && spawnSync('callgrind_control', ['-h'], { stdio: 'ignore' }).status === 0;
}

/**
 * A process counted by callgrind: where its counts go, and the environment it runs with, which
 * callgrind_control is given too: vgdb names its pipes after USER and HOST, so both must see the
 * same (callgrind_control finds vgdb beside itself, without PATH).
 */
export interface CallgrindSetup {
  outDir: string;
  env: Record<string, string>;
}

/** valgrind's arguments before the program: counting off until callgrindControl turns it on (start-up and warm-up uncounted, ≈ 5× slower instead of ≈ 50×). */
export function callgrindArgs(setup: CallgrindSetup): string[] {
  return ['-q', '--tool=callgrind', '--instr-atstart=no', `--vgdb-prefix=${join(setup.outDir, 'vgdb')}`, `--callgrind-out-file=${join(setup.outDir, 'cg.%p')}`];
}

/** One callgrind_control action on a counted process: `--instr=on`, `--zero`, `--dump`. */
export function callgrindControl(setup: CallgrindSetup, pid: number, action: string): void {
  execFileSync('callgrind_control', [`--vgdb-prefix=${join(setup.outDir, 'vgdb')}`, action, String(pid)], { stdio: 'ignore', env: setup.env, timeout: 60_000 });
}

/** The instruction count (`Ir`) of a callgrind output file: its `summary:` line (older files: `totals:`). */
export function parseCallgrindTotal(text: string): number {
  const m = /^summary:\s+(\d+)/m.exec(text) ?? /^totals:\s+(\d+)/m.exec(text);
  if (!m) throw new Error('no summary or totals line in callgrind output');
  return Number(m[1]);
}

/** Instructions of `pid` in its dumps (`cg.<pid>.<n>`: each holds what was counted since the last zero or dump). */
export function dumpedInstructions(setup: CallgrindSetup, pid: number): number {
  const dumps = readdirSync(setup.outDir).filter((f) => f.startsWith(`cg.${pid}.`));
  if (dumps.length === 0) throw new Error(`no callgrind dump of pid ${pid} in ${setup.outDir}`);
  return dumps.reduce((sum, f) => sum + parseCallgrindTotal(readFileSync(join(setup.outDir, f), 'utf8')), 0);
}
