#!/usr/bin/env node
import { runBenchCommand } from '../cli';

runBenchCommand(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
