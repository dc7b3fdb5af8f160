import { JsonClient, type CallOptions, type ServiceClientOptions } from './json-client';

/**
 * Base of the typed service clients: a subclass adds one method per route
 * (`this.http.post<Res>('/v1/…', req, opts)`); readiness and closing are the same everywhere.
 */
export abstract class ServiceClient {
  protected readonly http: JsonClient;

  protected constructor(dependency: string, opts: ServiceClientOptions) {
    this.http = new JsonClient({ ...opts, dependency });
  }

  /** `GET /ready` of the service: true when it answers 2xx in time, never throws. */
  ready(opts: CallOptions = {}): Promise<boolean> {
    return this.http.ready(opts);
  }

  /** Closes the client's own pool (a shared `pool` stays open). */
  close(): Promise<void> {
    return this.http.close();
  }
}
