#!/usr/bin/env node
// The committed entry point of `mltrace`: npm links a workspace's bin when it installs,
// before anything is built, and skips a bin whose file does not exist yet; this file
// always exists, and loads the compiled CLI.
'use strict';
let cli;
try {
  cli = require('../dist/src/index.js');
} catch (err) {
  if (err && err.code === 'MODULE_NOT_FOUND' && String(err.message).includes('dist/src/index.js')) {
    process.stderr.write('mltrace: not built yet; run `npm run build` (or `npm start` / `npm test`, which build first)\n');
    process.exit(1);
  }
  throw err;
}
cli.run();
