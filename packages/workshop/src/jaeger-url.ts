import { runningDetachedJaeger } from '@mltrace/jaeger/detached';
import { REPO_ROOT } from '@mltrace/stack';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The same OTLP receiver: the same port on the same host, or on two names of this machine (path and scheme aside). */
function sameEndpoint(a: string, b: string): boolean {
  if (!URL.canParse(a) || !URL.canParse(b)) return false;
  const [x, y] = [new URL(a), new URL(b)];
  return x.port === y.port && (x.hostname === y.hostname || (LOOPBACK.has(x.hostname) && LOOPBACK.has(y.hostname)));
}

/**
 * Where Jaeger's UI and query API are for the endpoint the lab sends to: the background
 * `npm run jaeger -- --detach`'s when the lab sends to it (MLTRACE_JAEGER_PORTS=auto gives it free
 * ports; its state is in .mltrace/jaeger here or in the repository), else Jaeger's default port.
 */
export function jaegerQueryUrl(otlpEndpoint: string, cwd = process.cwd()): string {
  for (const dir of new Set([cwd, REPO_ROOT])) {
    const jaeger = runningDetachedJaeger(dir);
    if (jaeger && sameEndpoint(jaeger.otlpHttpUrl, otlpEndpoint)) return jaeger.queryUrl;
  }
  return 'http://localhost:16686';
}
