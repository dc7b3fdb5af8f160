import { cpus, release, totalmem, type } from 'node:os';
import { availableParallelism } from 'node:os';
import type { MachineInfo } from './types';

export function machineInfo(): MachineInfo {
  return {
    nproc: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    node: process.version,
    os: `${type()} ${release()}`,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
  };
}
