import { context } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { IORedisInstrumentation, type IORedisInstrumentationConfig } from '@opentelemetry/instrumentation-ioredis';
import { hasUnsampledParent } from './unsampled';

type Traced = (this: unknown, ...args: unknown[]) => unknown;

// The base class declares its patch builders private; this view lets the subclass wrap them.
const IORedisBase = IORedisInstrumentation as unknown as new (config?: IORedisInstrumentationConfig) => Instrumentation<IORedisInstrumentationConfig> & {
  _traceSendCommand(original: Traced, moduleVersion?: string): Traced;
  _traceConnection(original: Traced): Traced;
};

export interface MltraceIORedisConfig extends IORedisInstrumentationConfig {
  /** See MltraceUndiciConfig.followsParentSampling: no span under an unsampled parent. */
  followsParentSampling?: boolean;
}

/**
 * instrumentation-ioredis, except that under an unsampled parent (with a sampler that follows
 * the parent) a command starts no span: upstream builds the attributes and the statement text,
 * asks the sampler, gets a non-recording span and wraps the command's resolve/reject to end it,
 * for every Redis call of every request that is not sampled. Here the command runs as it would
 * untraced. `requireParentSpan` (no span outside a request) is kept as configured.
 */
export class MltraceIORedisInstrumentation extends IORedisBase {
  private readonly followsParent: boolean;

  constructor({ followsParentSampling = false, ...config }: MltraceIORedisConfig = {}) {
    super(config);
    this.followsParent = followsParentSampling;
  }

  override _traceSendCommand(original: Traced, moduleVersion?: string): Traced {
    return this.skipUnsampled(original, super._traceSendCommand(original, moduleVersion));
  }

  override _traceConnection(original: Traced): Traced {
    return this.skipUnsampled(original, super._traceConnection(original));
  }

  /** `followsParent` is read per call: the base constructor may already patch a loaded ioredis, before this class's fields are set. */
  private skipUnsampled(original: Traced, traced: Traced): Traced {
    const instrumentation = this;
    return function sendUnlessUnsampled(this: unknown, ...args: unknown[]): unknown {
      return instrumentation.followsParent && hasUnsampledParent(context.active()) ? original.apply(this, args) : traced.apply(this, args);
    };
  }
}
