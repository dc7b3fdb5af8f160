import { context, propagation, ROOT_CONTEXT, type Attributes, type Baggage } from '@opentelemetry/api';
import type { FastifyBaseLogger } from 'fastify';
import { BAGGAGE_TO_ATTRIBUTE, getServerSpan, withMLContext, type MLContext } from '@mltrace/tracing';
import { callDependency, Deadline } from './dependency-call';
import type { FeaturesResponse, GatewayDeps, PostprocessRequest } from './deps';
import { GwDependencyFailedError, GwEntitiesNotFoundError } from './errors';
import { assignArm } from './experiment';
import { callsInSequence, dropsPostprocessContext } from './scenario';
import type { GatewayConfig, PredictRequest, PredictResponse } from './types';

/** The account-profile enrichment: independent of the main lookup, so it normally runs concurrently. */
export const PROFILE_FEATURES = ['monthly_spend', 'seats'];

export interface PipelineEnv {
  config: GatewayConfig;
  deps: GatewayDeps;
  log: FastifyBaseLogger;
  /** Trace id of the request, the experiment key when there is no entity. */
  traceId: string;
  /** The caller's ML context, as the trust boundary accepted it (baggage.ts). */
  ml: MLContext;
  /** The baggage that goes downstream: the accepted members only. */
  baggage: Baggage;
}

/**
 * Baggage members to add when the caller did not choose a model version: an A/B arm picked by a
 * stable hash, so one customer always sees the same model.
 */
export function experimentAssignment(config: GatewayConfig, body: PredictRequest, traceId: string, ml: MLContext): MLContext {
  const experiment = config.experiment;
  if (!experiment || ml.model_version) return {};
  const named = ml.experiment_arm ? experiment.arms.find((a) => a.arm === ml.experiment_arm) : undefined;
  const arm = named ?? assignArm(experiment, body.entities?.[0] ?? traceId);
  return { experiment_id: ml.experiment_id ?? experiment.id, experiment_arm: arm.arm, model_version: arm.version };
}

export async function predict(body: PredictRequest, env: PipelineEnv): Promise<Omit<PredictResponse, 'request_id'>> {
  const { ml } = env;
  const assigned = experimentAssignment(env.config, body, env.traceId, ml);
  // Downstream calls carry the accepted members only, not whatever the caller sent.
  return context.with(propagation.setBaggage(context.active(), env.baggage), () => {
    if (assigned.model_version === undefined) return run(body, env, ml);
    // withMLContext annotates the active (handler) span; the HTTP server span started before the
    // assignment existed, so it is annotated here, or per-version slices would miss the root span.
    const attributes: Attributes = {};
    for (const [key, value] of Object.entries(assigned)) attributes[BAGGAGE_TO_ATTRIBUTE[key as keyof MLContext]] = value;
    getServerSpan()?.setAttributes(attributes);
    return withMLContext(assigned, () => run(body, env, { ...ml, ...assigned }));
  });
}

async function run(body: PredictRequest, env: PipelineEnv, ml: MLContext): Promise<Omit<PredictResponse, 'request_id'>> {
  const { deps, config } = env;
  const deadline = new Deadline(config.requestTimeoutMs);
  let instances: number[][];
  let entities: string[] | null = null;
  let missing: string[] = [];
  if (body.entities) {
    const found = await lookupFeatures(body.entities, deadline, env);
    missing = found.missing;
    if (found.vectors.length === 0) {
      throw new GwEntitiesNotFoundError(body.entities.length, body.entities.slice(0, 10).join(', ') + (body.entities.length > 10 ? ', …' : ''));
    }
    entities = found.vectors.map((v) => v.entity);
    instances = found.vectors.map((v) => v.values);
  } else {
    instances = body.instances ?? [];
  }

  // The version also goes in the body: baggage reaches inference only when tracing is on.
  const version = ml.model_version;
  const inferred = await callDependency('inference', deadline, (signal) =>
    deps.inference.infer({ instances, ...(version ? { model_version: version } : {}) }, { signal }),
  );
  expectCount('inference', inferred.predictions.length, instances.length);

  const segment = ml.customer_segment;
  const request: PostprocessRequest = {
    predictions: inferred.predictions.map((p, i) => ({
      ...(entities ? { entity: entities[i] as string } : {}),
      class: p.class,
      probabilities: p.probabilities,
      confidence: p.confidence,
    })),
    ...(segment ? { segment } : {}),
  };
  const post = await callDependency('postprocess', deadline, (signal) =>
    dropsPostprocessContext(config.scenario)
      ? // Planted fault: the call leaves the active context, so it starts a new trace and carries no baggage.
        context.with(ROOT_CONTEXT, () => deps.postprocess.postprocess(request, { signal }))
      : deps.postprocess.postprocess(request, { signal }),
  );
  expectCount('postprocess', post.predictions.length, instances.length);

  return { predictions: post.predictions, missing, model: inferred.model };
}

async function lookupFeatures(entities: string[], deadline: Deadline, env: PipelineEnv): Promise<FeaturesResponse> {
  const { featureStore } = env.deps;
  const lookup = () => callDependency('feature-store', deadline, (signal) => featureStore.getFeatures({ entities }, { signal }));
  const profile = () =>
    callDependency('feature-store', deadline, (signal) => featureStore.getFeatures({ entities, features: PROFILE_FEATURES }, { signal }));
  let found: FeaturesResponse;
  let account: FeaturesResponse;
  if (callsInSequence(env.config.scenario)) {
    // Planted fault: two independent calls awaited one after the other.
    found = await lookup();
    account = await profile();
  } else {
    [found, account] = await Promise.all([lookup(), profile()]);
  }
  const monthlySpend = account.vectors.reduce((sum, v) => sum + (v.values[0] ?? 0), 0);
  env.log.debug({ entities: entities.length, monthlySpend }, 'account profile');
  return found;
}

function expectCount(dependency: 'inference' | 'postprocess', got: number, want: number): void {
  if (got !== want) {
    throw Object.assign(new GwDependencyFailedError(dependency, `returned ${got} predictions for ${want} inputs`), { dependency });
  }
}
