/**
 * Loaded into each service with NODE_OPTIONS=--require (node 20 refuses --cpu-prof there).
 * The first SIGUSR2 starts the V8 CPU profiler, the second stops it and writes
 * `<MLTRACE_PROFILE_DIR>/<pid>.cpuprofile`, so the lab profiles exactly its measured window.
 */
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

// The one read of the environment outside a config.ts, on purpose: this file is --require'd into
// each *service* process before the service itself loads, so it cannot use the lab's config (that
// would load the lab's modules into every service and print the lab's warnings there). The lab sets
// MLTRACE_PROFILE_DIR itself (profile-run.ts); empty or blank means unset, as everywhere.
// lint-allow: process-env
const dir = process.env['MLTRACE_PROFILE_DIR']?.trim();
if (dir) {
  const session = new Session();
  session.connect();
  let running = false;
  process.on('SIGUSR2', () => {
    if (!running) {
      running = true;
      session.post('Profiler.enable', () => session.post('Profiler.setSamplingInterval', { interval: 1000 }, () => session.post('Profiler.start')));
      return;
    }
    running = false;
    session.post('Profiler.stop', (err, result) => {
      if (!err) writeFileSync(join(dir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
