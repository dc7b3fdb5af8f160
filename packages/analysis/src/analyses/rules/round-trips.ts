/**
 * Network round trips of a group of calls, robust to OpenTelemetry JS's millisecond start times.
 */
import type { Span } from '../../model';

/**
 * OpenTelemetry JS records span starts in whole milliseconds (Date.now()) and durations precisely,
 * so a start can be up to this much earlier than it really was; ends are exact.
 */
export const START_QUANTUM_US = 1000;
/** Replies of one pipeline are parsed back to back; a new round trip ends at least this much later. */
export const REPLY_GAP_US = 25;

/**
 * Groups calls into round trips: ordered by their (exact) end, a call starts a new round trip when
 * it ended clearly after the previous one and could not have started before the previous one
 * ended. Durations of the round trips are measured between consecutive ends (the first: its own
 * span), so they add up to the wall time the calls occupy. Serial calls are one trip each; a
 * concurrent fan-out (or a pipeline) is one trip.
 */
export function roundTrips(calls: readonly Span[]): { trips: number; durations: number[] } {
  const byEnd = [...calls].sort((a, b) => a.start + a.duration - (b.start + b.duration));
  const durations: number[] = [];
  let tripStart = Infinity;
  let first = true;
  let prevEnd = -Infinity;
  for (const c of byEnd) {
    const end = c.start + c.duration;
    if (prevEnd > -Infinity && end - prevEnd >= REPLY_GAP_US && c.start >= prevEnd - START_QUANTUM_US) {
      durations.push(prevEnd - tripStart);
      tripStart = prevEnd;
      first = false;
    } else if (first) tripStart = Math.min(tripStart, c.start);
    prevEnd = end;
  }
  if (byEnd.length) durations.push(prevEnd - tripStart);
  return { trips: durations.length, durations };
}
