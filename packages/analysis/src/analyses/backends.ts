/**
 * Databases and message brokers as dependency-graph nodes. They have no spans of their own: the
 * caller's span names them. The node is named `peer.service` when the span sets it, else
 * `<system>@<host>` (db.system.name or db.system, messaging.system; host = server.address, else
 * the older net.peer.name), else the system alone.
 */
import { ATTR_SERVER_ADDRESS } from '@opentelemetry/semantic-conventions';
import { ATTR_NET_PEER_NAME, ATTR_PEER_SERVICE } from '@mltrace/tracing/semconv';
import type { Span } from '../model';
import { dbSystemOf, isCall, messagingSystemOf } from './rules/common';

export type NodeKind = 'service' | 'database' | 'messaging';

export interface Backend {
  name: string;
  kind: Exclude<NodeKind, 'service'>;
  system: string;
}

const PEER_SERVICE: string = ATTR_PEER_SERVICE;
const HOST_KEYS: readonly string[] = [ATTR_SERVER_ADDRESS, ATTR_NET_PEER_NAME];

function hostOf(s: Span): string | undefined {
  for (const k of HOST_KEYS) {
    const v = s.attributes[k];
    if (v !== undefined && v !== '') return String(v);
  }
  return undefined;
}

/** The database or broker a span calls, if it names one. Only calls count (isCall: client and producer spans, or kind-less ones). */
export function backendOf(s: Span): Backend | undefined {
  if (!isCall(s)) return undefined;
  const db = dbSystemOf(s);
  const messaging = db === undefined ? messagingSystemOf(s) : undefined;
  const system = db ?? messaging;
  if (system === undefined) return undefined;
  const peer = s.attributes[PEER_SERVICE];
  const host = hostOf(s);
  const name = peer !== undefined && peer !== '' ? String(peer) : host !== undefined ? `${system}@${host}` : system;
  return { name, kind: db !== undefined ? 'database' : 'messaging', system };
}
