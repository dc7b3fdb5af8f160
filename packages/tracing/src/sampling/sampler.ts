import { loadStrategiesFile } from './load-strategies';
import { ParentFollowingSampler } from './parent-based';
import { DEFAULT_REMOTE_POLL_MS, DEFAULT_REMOTE_TIMEOUT_MS, RemoteStrategyPoller } from './remote';
import { FALLBACK_STRATEGY, fallbackPolicy, policyFromStrategies } from './resolve-policy';
import { RootSampler } from './root-sampler';
import type { CreateSamplerOptions, ServicePolicy } from './types';

const FALLBACK_TEXT = `the fallback strategy (${FALLBACK_STRATEGY.type} ${FALLBACK_STRATEGY.param} traces/s)`;

/** The sampler createSampler returns: parent-following, with access to its root policy and remote poller. */
export class MltraceSampler extends ParentFollowingSampler {
  constructor(
    readonly rootSampler: RootSampler,
    readonly remote: RemoteStrategyPoller | undefined,
  ) {
    super(rootSampler);
  }

  get policy(): ServicePolicy {
    return this.rootSampler.currentPolicy;
  }

  /** Polls the remote endpoint now (tests, or after a known change); false if there is none or it failed. */
  async refresh(): Promise<boolean> {
    return this.remote ? this.remote.poll() : false;
  }

  /** Stops remote polling. */
  shutdown(): void {
    this.remote?.stop();
  }
}

function localPolicy(opts: CreateSamplerOptions, warn: (m: string) => void): ServicePolicy {
  const file = opts.strategiesFile;
  if (!file) {
    if (!opts.remoteUrl) warn(`no strategies file and no remote URL given; using ${FALLBACK_TEXT}`);
    return fallbackPolicy(opts.remoteUrl ? 'awaiting remote strategy' : 'no strategies configured');
  }
  try {
    const { strategies, warnings } = loadStrategiesFile(file);
    if (warnings.length > 0) warn(`sampling strategies file ${file}: ${warnings.join('; ')}`);
    return policyFromStrategies(strategies, opts.serviceName, `file ${file}`);
  } catch (err) {
    warn(`${(err as Error).message}; using ${FALLBACK_TEXT} instead`);
    return fallbackPolicy(`fallback (invalid ${file})`);
  }
}

export function createSampler(opts: CreateSamplerOptions): MltraceSampler {
  const warn = opts.warn ?? ((m: string) => console.warn(`[mltrace sampling] ${m}`));
  const clock = opts.clock ?? Date.now;
  const local = localPolicy(opts, warn);
  const root = new RootSampler(local, clock);
  let remote: RemoteStrategyPoller | undefined;
  if (opts.remoteUrl) {
    try {
      remote = new RemoteStrategyPoller({
        url: opts.remoteUrl,
        serviceName: opts.serviceName,
        pollMs: opts.remotePollMs ?? DEFAULT_REMOTE_POLL_MS,
        timeoutMs: opts.remoteTimeoutMs ?? DEFAULT_REMOTE_TIMEOUT_MS,
        // ML rules and adaptive rules stay those of the local file: Jaeger's answer cannot carry them.
        onStrategy: (p) => root.setPolicy({ ...local, ...p, defaultLabel: 'service-default' }),
        warn,
      });
      remote.start();
    } catch (err) {
      warn(`remote sampling URL ${JSON.stringify(opts.remoteUrl)} is unusable (${(err as Error).message}); remote sampling is off`);
    }
  }
  return new MltraceSampler(root, remote);
}
