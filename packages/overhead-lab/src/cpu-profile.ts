import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

/** The parts of a V8 `.cpuprofile` (written by `node --cpu-prof`) used here. */
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/**
 * Which package a frame's code belongs to. Frames without a script (JSON.stringify,
 * Promise internals) are charged to the nearest caller that has one, so a builtin
 * does not hide who called it.
 */
export function categorize(url: string, functionName: string): string | undefined {
  if (!url) {
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName === '(idle)') return '(idle)';
    if (functionName === '(program)') return 'V8/native (program)';
    return undefined;
  }
  if (url.includes('async_hooks') || url.includes('async_local_storage')) return 'node: async_hooks / AsyncLocalStorage';
  if (url.startsWith('node:')) return 'node core';
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm !== -1) {
    const rest = path.slice(nm + '/node_modules/'.length).split('/');
    const name = rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
    return name ?? 'other';
  }
  const ws = /\/(packages|services)\/([^/]+)\//.exec(path);
  if (ws) return ws[1] === 'packages' ? `@mltrace/${ws[2]}` : `service code (${ws[2]})`;
  return 'other';
}

/**
 * CPU ms per category between `fromUs` and `toUs` (the profile's monotonic clock,
 * the same as process.hrtime), idle excluded.
 */
export function profileBreakdown(profile: CpuProfile, fromUs = -Infinity, toUs = Infinity): Record<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const categoryOf = new Map<number, string>();
  const resolve = (id: number): string => {
    const cached = categoryOf.get(id);
    if (cached) return cached;
    let cur: number | undefined = id;
    let cat: string | undefined;
    while (cur !== undefined && cat === undefined) {
      const node = byId.get(cur);
      cat = node ? categorize(node.callFrame.url, node.callFrame.functionName) : undefined;
      cur = parent.get(cur!);
    }
    const result = cat ?? 'V8/native (program)';
    categoryOf.set(id, result);
    return result;
  };
  const out: Record<string, number> = {};
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    t += delta;
    if (t < fromUs || t > toUs) continue;
    const cat = resolve(profile.samples[i]!);
    if (cat === '(idle)') continue;
    // A sample stands for the time since the previous one.
    out[cat] = (out[cat] ?? 0) + delta / 1000;
  }
  return out;
}

export function readCpuProfile(file: string): CpuProfile {
  return JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
}
