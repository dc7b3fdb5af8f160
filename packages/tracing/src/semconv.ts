/**
 * The unstable (incubating) semantic-convention keys mltrace uses, copied here
 * as the OpenTelemetry JS docs advise: `@opentelemetry/semantic-conventions/incubating`
 * may change or drop a key in any minor release, so no module imports it at run
 * time. Stable keys come from `@opentelemetry/semantic-conventions` itself.
 * A test (test/semconv.test.ts) checks each value against the installed package.
 */

/** `deployment.environment.name` (development, staging, production). */
export const ATTR_DEPLOYMENT_ENVIRONMENT_NAME = 'deployment.environment.name' as const;
/** `deployment.environment`: the deprecated key, still read from older OTEL_RESOURCE_ATTRIBUTES. */
export const ATTR_DEPLOYMENT_ENVIRONMENT = 'deployment.environment' as const;
/** `url.template`: the route a client span calls, `/v1/features/{id}`-style. */
export const ATTR_URL_TEMPLATE = 'url.template' as const;
/** `user_agent.synthetic.type`: traffic from tests and load generators. */
export const ATTR_USER_AGENT_SYNTHETIC_TYPE = 'user_agent.synthetic.type' as const;
export const USER_AGENT_SYNTHETIC_TYPE_VALUE_TEST = 'test' as const;
export const USER_AGENT_SYNTHETIC_TYPE_VALUE_BOT = 'bot' as const;
/** `peer.service`: the logical name of the remote service a client span calls. */
export const ATTR_PEER_SERVICE = 'peer.service' as const;
/** `http.status_code`: the pre-1.23 key, still found in older traces. */
export const ATTR_HTTP_STATUS_CODE = 'http.status_code' as const;
/** `db.system`: the pre-1.26 key for the database product, still found in older traces. */
export const ATTR_DB_SYSTEM = 'db.system' as const;
/** The `db.system.name` value for Redis. */
export const DB_SYSTEM_NAME_VALUE_REDIS = 'redis' as const;
/** `net.peer.name`: the pre-1.21 key for the remote host, still found in older traces. */
export const ATTR_NET_PEER_NAME = 'net.peer.name' as const;
/** `http.target`: the pre-1.21 key for the request target (path and query), still found in older traces. */
export const ATTR_HTTP_TARGET = 'http.target' as const;
/** `messaging.system`: the message broker product (kafka, rabbitmq, …). */
export const ATTR_MESSAGING_SYSTEM = 'messaging.system' as const;
/** `rpc.system`: the remote-procedure-call system (grpc, …). */
export const ATTR_RPC_SYSTEM = 'rpc.system' as const;
