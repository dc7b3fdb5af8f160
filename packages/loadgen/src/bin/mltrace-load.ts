#!/usr/bin/env node
import { runLoadCommand } from '../cli';

runLoadCommand(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`mltrace load: ${String(err)}\n`);
    process.exitCode = 1;
  },
);
