export * from './client';
export { installErrorHandlers } from './error-handler';
export type { ErrorHandlerHooks } from './error-handler';
export { createServiceApp } from './service-app';
export type { ServiceAppConfig, ServiceAppOptions } from './service-app';
export { serve, runService } from './serve';
export type { ServeOptions, RunningService } from './serve';
export { envReader } from './env';
export type { Env, EnvReader, JsonCheck } from './env';
