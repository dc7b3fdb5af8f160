import {
  defaultResource,
  detectResources,
  envDetector,
  hostDetector,
  osDetector,
  processDetector,
  resourceFromAttributes,
  serviceInstanceIdDetector,
  type Resource,
  type ResourceDetector,
} from '@opentelemetry/resources';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { ATTR_DEPLOYMENT_ENVIRONMENT_NAME } from './semconv';
import type { ResourceDetectorName, TracingConfig } from './types';

const DETECTORS: Record<ResourceDetectorName, ResourceDetector> = {
  env: envDetector,
  host: hostDetector,
  os: osDetector,
  process: processDetector,
  serviceinstance: serviceInstanceIdDetector,
};

/**
 * The resource every span of this process carries, built as NodeSDK builds it: the SDK's
 * defaults and mltrace's service version and environment, then what the detectors of
 * OTEL_NODE_RESOURCE_DETECTORS find (OTEL_RESOURCE_ATTRIBUTES through `env`, host, os, process,
 * service.instance.id), then service.name on top (config.ts already read it from those).
 */
export function createResource(config: TracingConfig): Resource {
  return defaultResource()
    .merge(resourceFromAttributes({ [ATTR_SERVICE_VERSION]: config.serviceVersion, [ATTR_DEPLOYMENT_ENVIRONMENT_NAME]: config.environment }))
    .merge(detectResources({ detectors: config.resourceDetectors.map((name) => DETECTORS[name]) }))
    .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.serviceName }));
}
