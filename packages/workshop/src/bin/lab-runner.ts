/** The detached process `mltrace lab start` leaves running: `node lab-runner.js <labDir>`. */
import { runLab } from '../runner';

const labDir = process.argv[2];
if (!labDir) {
  process.stderr.write('usage: lab-runner <labDir>\n');
  process.exit(2);
}
runLab(labDir).catch((err: unknown) => {
  process.stderr.write(`lab runner: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
