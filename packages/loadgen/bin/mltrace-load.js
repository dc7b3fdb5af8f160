#!/usr/bin/env node
// The committed entry point of `mltrace-load` (see packages/analysis/bin/mltrace.js for why
// the bin is a file in the repository rather than the compiled output).
'use strict';
try {
  require.resolve('../dist/src/bin/mltrace-load.js');
} catch {
  process.stderr.write('mltrace-load: not built yet; run `npm run build` (or `npm start` / `npm test`, which build first)\n');
  process.exit(1);
}
require('../dist/src/bin/mltrace-load.js');
