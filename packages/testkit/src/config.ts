/**
 * The one place testkit reads the environment: what a process started by startTracedProcess
 * inherits from the test runner. Its OTEL_* and MLTRACE_* settings are left out: a collector
 * endpoint, sampler or scenario of the runner's shell must not change where or whether the child
 * exports (startTracedProcess sets the tracing settings it wants explicitly).
 */
export function inheritedEnvironment(env: NodeJS.ProcessEnv = process.env): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !isTracingSetting(name)));
}

function isTracingSetting(name: string): boolean {
  return name.startsWith('OTEL_') || name.startsWith('MLTRACE_');
}
