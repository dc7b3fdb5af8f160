/**
 * Worker thread of the parallel JSON-lines loader (parallel.ts): reads the units it is sent and
 * posts their spans as compact batches (span-batch.ts), then the unit's notes.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
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

if (parentPort === null) throw new Error('line-worker.js runs as a worker thread');
const port: MessagePort = parentPort;
let current = 0;
const encoder = new SpanBatchEncoder((batch, transfer) => port.postMessage({ type: 'batch', unit: current, batch } satisfies WorkerMessage, transfer));
const reader = new UnitReader((span) => encoder.add(span), (workerData as LineWorkerData).fastPath);

// The pool keeps a unit queued here while one is read, so the thread never waits for the next.
const queue: UnitRequest[] = [];
let busy = false;

function readNext(): void {
  const req = queue.shift();
  if (req === undefined) {
    busy = false;
    return;
  }
  busy = true;
  current = req.unit;
  reader.read(req).then(
    (notes) => {
      encoder.end();
      port.postMessage({ type: 'done', unit: req.unit, notes } satisfies WorkerMessage);
      readNext();
    },
    (err: unknown) => port.postMessage({ type: 'failed', unit: req.unit, message: err instanceof Error ? (err.stack ?? err.message) : String(err) } satisfies WorkerMessage),
  );
}

port.on('message', (req: UnitRequest) => {
  queue.push(req);
  if (!busy) readNext();
});
