/**
 * Worker thread of the parallel JSON-lines loader (parallel.ts): reads the units it is sent and
 * posts their spans as compact batches (span-batch.ts), then the unit's notes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SpanBatchEncoder, type SpanBatch } from './span-batch';
import { UnitReader, type UnitNotes, type UnitRange } from './unit-reader';

export interface UnitRequest extends UnitRange {
  unit: number;
}

export interface LineWorkerData {
  fastPath: boolean;
}

export type WorkerMessage =
  | { type: 'batch'; unit: number; batch: SpanBatch }
  | { type: 'done'; unit: number; notes: UnitNotes }
  | { type: 'failed'; unit: number; message: string };

const port = parentPort;
if (port === null) throw new Error('line-worker.js runs as a worker thread');
let current = 0;
const encoder = new SpanBatchEncoder((batch, transfer) => port.postMessage({ type: 'batch', unit: current, batch } satisfies WorkerMessage, transfer));
const reader = new UnitReader((span) => encoder.add(span), (workerData as LineWorkerData).fastPath);

port.on('message', (req: UnitRequest) => {
  current = req.unit;
  reader.read(req).then(
    (notes) => {
      encoder.end();
      port.postMessage({ type: 'done', unit: req.unit, notes } satisfies WorkerMessage);
    },
    (err: unknown) => port.postMessage({ type: 'failed', unit: req.unit, message: err instanceof Error ? (err.stack ?? err.message) : String(err) } satisfies WorkerMessage),
  );
});
