/**
 * Bounds the calls one client has in flight to the connections of its pool, with a short,
 * bounded wait for a free slot. undici's Pool would queue every call beyond its connections
 * without limit: while a dependency hangs, each queued call waits for all those before it, so
 * its wait grows with the queue and no deadline downstream of it holds. Here a call either gets
 * a slot within `queueTimeoutMs` (or before its own signal ends), or fails at once.
 */
export interface AdmissionOptions {
  /** Calls in flight at most (the pool's connections). */
  slots: number;
  /** Calls that may wait for a slot; one more is refused at once. */
  maxQueued: number;
  /** How long a call waits for a slot before it is refused. */
  queueTimeoutMs: number;
}

/** Why a call got no slot: the queue was full, or its wait ran out. */
export class AdmissionRefused extends Error {
  override readonly name = 'AdmissionRefused';
  readonly code = 'CLIENT_POOL_SATURATED';
  constructor(
    readonly reason: 'queue-full' | 'wait-expired',
    readonly inFlight: number,
    readonly queued: number,
  ) {
    super(reason === 'queue-full' ? `all ${inFlight} connections busy and ${queued} calls waiting` : `no connection free within the queue wait (${inFlight} calls in flight)`);
  }
}

interface Waiter {
  grant: () => void;
}

export class Admission {
  private inFlight = 0;
  private readonly waiters: Waiter[] = [];

  constructor(private readonly opts: AdmissionOptions) {}

  /** Calls in flight and waiting, e.g. for tests and logs. */
  get stats(): { inFlight: number; queued: number } {
    return { inFlight: this.inFlight, queued: this.waiters.length };
  }

  /**
   * Resolves with a release function once the call may go out; rejects with AdmissionRefused, or
   * with the signal's reason when `signal` ends the wait first. Call the release exactly once,
   * when the call no longer holds a connection (its answer read or abandoned).
   */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (this.inFlight < this.opts.slots && this.waiters.length === 0) {
      this.inFlight++;
      return Promise.resolve(this.releaser());
    }
    if (this.waiters.length >= this.opts.maxQueued) return Promise.reject(new AdmissionRefused('queue-full', this.inFlight, this.waiters.length));
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const leave = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const i = this.waiters.indexOf(waiter);
        if (i !== -1) this.waiters.splice(i, 1);
      };
      const onAbort = () => {
        leave();
        reject(signal?.reason);
      };
      const timer = setTimeout(() => {
        leave();
        reject(new AdmissionRefused('wait-expired', this.inFlight, this.waiters.length));
      }, this.opts.queueTimeoutMs);
      const waiter: Waiter = {
        grant: () => {
          leave();
          this.inFlight++;
          resolve(this.releaser());
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight--;
      this.waiters[0]?.grant();
    };
  }
}
