import type { ExperimentArm, ExperimentConfig } from './types';

/** FNV-1a, 32 bit: stable across processes and releases, so a customer always lands in the same arm. */
export function hashToUnit(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) / 0x1_0000_0000;
}

/** Picks the arm for `key` (first entity, else the trace id) by cumulative weight. */
export function assignArm(experiment: ExperimentConfig, key: string): ExperimentArm {
  const total = experiment.arms.reduce((s, a) => s + a.weight, 0);
  const point = hashToUnit(key) * total;
  let acc = 0;
  for (const arm of experiment.arms) {
    acc += arm.weight;
    if (point < acc) return arm;
  }
  return experiment.arms[experiment.arms.length - 1] as ExperimentArm;
}
