// Generates the red team's bad-input cases for the four services: malformed and hostile JSON,
// wrong types, non-finite and huge numbers, long and odd Unicode strings, prototype keys, deep
// nesting, oversize bodies, hostile traceparent and baggage, method and route fuzz, and what
// Node's HTTP parser itself refuses. Deterministic: the same cases every run.
import type { ServiceName } from '@mltrace/stack';

/** A request sent through an HTTP client: JSON text as is (it may be invalid on purpose). */
export interface HttpCase {
  kind: 'http';
  service: ServiceName;
  what: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

/** Bytes written on a raw socket: requests no well-behaved client would send. */
export interface RawCase {
  kind: 'raw';
  service: ServiceName;
  what: string;
  data: string;
}

export type HostileCase = HttpCase | RawCase;

const TWELVE = '[12,35.5,1,4.2,3,0.61,0,1,0,20,0,18.5]';

/** Each service's route and a valid body, and "slots": the same body with one place replaced by a raw JSON value. */
const TARGETS: Record<ServiceName, { path: string; valid: string; slots: Array<[name: string, fill: (v: string) => string]> }> = {
  gateway: {
    path: '/v1/predict',
    valid: '{"entities":["cust-00001"]}',
    slots: [
      ['entities', (v) => `{"entities":${v}}`],
      ['entities/0', (v) => `{"entities":[${v}]}`],
      ['instances', (v) => `{"instances":${v}}`],
      ['instances/0', (v) => `{"instances":[${v}]}`],
      ['instances/0/11', (v) => `{"instances":[[12,35.5,1,4.2,3,0.61,0,1,0,20,0,${v}]]}`],
    ],
  },
  'feature-store': {
    path: '/v1/features',
    valid: '{"entities":["cust-00001"],"features":["tenure_months"]}',
    slots: [
      ['entities', (v) => `{"entities":${v}}`],
      ['entities/0', (v) => `{"entities":[${v}]}`],
      ['features', (v) => `{"entities":["cust-00001"],"features":${v}}`],
      ['features/0', (v) => `{"entities":["cust-00001"],"features":[${v}]}`],
    ],
  },
  inference: {
    path: '/v1/infer',
    valid: `{"instances":[${TWELVE}],"model_version":"v1"}`,
    slots: [
      ['instances', (v) => `{"instances":${v}}`],
      ['instances/0', (v) => `{"instances":[${v}]}`],
      ['instances/0/3', (v) => `{"instances":[[12,35.5,1,${v},3,0.61,0,1,0,20,0,18.5]]}`],
      ['model_version', (v) => `{"instances":[${TWELVE}],"model_version":${v}}`],
    ],
  },
  postprocess: {
    path: '/v1/postprocess',
    valid: '{"predictions":[{"entity":"cust-1","class":1,"probabilities":[0.2,0.8],"confidence":0.8}],"segment":"enterprise"}',
    slots: [
      ['predictions', (v) => `{"predictions":${v}}`],
      ['predictions/0', (v) => `{"predictions":[${v}]}`],
      ['predictions/0/class', (v) => `{"predictions":[{"class":${v},"probabilities":[0.2,0.8],"confidence":0.8}]}`],
      ['predictions/0/probabilities/1', (v) => `{"predictions":[{"class":1,"probabilities":[0.2,${v}],"confidence":0.8}]}`],
      ['predictions/0/confidence', (v) => `{"predictions":[{"class":1,"probabilities":[0.2,0.8],"confidence":${v}}]}`],
      ['predictions/0/entity', (v) => `{"predictions":[{"entity":${v},"class":1,"probabilities":[0.2,0.8],"confidence":0.8}]}`],
      ['segment', (v) => `{"predictions":[{"class":1,"probabilities":[0.2,0.8],"confidence":0.8}],"segment":${v}}`],
    ],
  },
};

/** Raw JSON values put into each slot: wrong types, non-finite and huge numbers, odd strings, prototype keys, deep nesting. */
const VALUES: Array<[name: string, json: string]> = [
  ['null', 'null'],
  ['true', 'true'],
  ['-1', '-1'],
  ['1.5', '1.5'],
  ['an empty string', '""'],
  ['an empty array', '[]'],
  ['an empty object', '{}'],
  ['[null]', '[null]'],
  ['1e999 (Infinity)', '1e999'],
  ['-1e999', '-1e999'],
  ['1e308', '1e308'],
  ['5e-324', '5e-324'],
  ['2^53+1', '9007199254740993'],
  ['a 100 000 character string', JSON.stringify('a'.repeat(100_000))],
  ['a lone surrogate', '"\\ud800"'],
  ['bidi and zero-width characters', '"\\u202e\\u200b\\ufeff"'],
  ['NUL, CR and LF', '"a\\u0000b\\r\\nc"'],
  ['a path traversal', '"../../etc/passwd"'],
  ['markup', '"<script>alert(1)</script>"'],
  ['"__proto__"', '"__proto__"'],
  ['"constructor"', '"constructor"'],
  ['a __proto__ object', '{"__proto__":{"polluted":true}}'],
  ['a constructor.prototype object', '{"constructor":{"prototype":{"polluted":true}}}'],
  ['arrays nested 2000 deep', `${'['.repeat(2000)}${']'.repeat(2000)}`],
  ['emoji and combining marks', JSON.stringify('😀e\u0301'.repeat(500))],
];

/** Whole bodies that are not JSON, or hostile JSON, sent to every service. */
const BODIES: Array<[name: string, body: string]> = [
  ['an unterminated object', '{'],
  ['a trailing comma', '{"a":1,}'],
  ['single quotes', "{'a':1}"],
  ['NaN', '{"a":NaN}'],
  ['a bare word', 'nul'],
  ['a byte-order mark', '\ufeff{}'],
  ['a NUL byte', '\u0000'],
  ['an empty body', ''],
  ['only whitespace', '   \n '],
  ['a top-level __proto__', '{"__proto__":{"polluted":true}}'],
  ['objects nested 100 000 deep', `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`],
  ['arrays nested 100 000 deep', `${'['.repeat(100_000)}${']'.repeat(100_000)}`],
  ['a 2 MB string', JSON.stringify({ x: 'a'.repeat(2 * 1024 * 1024) })],
  ['100 000 keys', JSON.stringify(Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i])))],
  ['invalid UTF-8', '{"a":"\xff\xfe"}'],
];

/** Hostile trace context and baggage headers, on an otherwise valid request. */
const HEADERS: Array<[name: string, headers: Record<string, string>]> = [
  ['a traceparent of zeros', { traceparent: '00-00000000000000000000000000000000-0000000000000000-01' }],
  ['a traceparent with version ff', { traceparent: 'ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }],
  ['a too long traceparent', { traceparent: `00-${'a'.repeat(4000)}-b7ad6b7169203331-01` }],
  ['an uppercase traceparent', { traceparent: '00-0AF7651916CD43DD8448EB211C80319C-B7AD6B7169203331-01' }],
  ['a tracestate of 4 KB', { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', tracestate: `k=${'v'.repeat(4096)}` }],
  ['uber-trace-id garbage', { 'uber-trace-id': 'zz:yy:xx:ww' }],
  ['8 KB of baggage in one member', { baggage: `customer_segment=${'s'.repeat(8000)}` }],
  ['a 100 character segment', { baggage: `customer_segment=${'s'.repeat(100)}` }],
  ['300 baggage members', { baggage: Array.from({ length: 300 }, (_, i) => `k${i}=v`).join(',') }],
  ['bad percent-encoding in baggage', { baggage: 'customer_segment=%E0%A4%A,region=%ZZ' }],
  ['a prototype key in baggage', { baggage: '__proto__=x,constructor=y,customer_segment=constructor' }],
  ['members the gateway does not take from callers', { baggage: 'customer_segment=smb,model_name=hacked,feature_version=hacked,data_batch_id=hacked,evil=hacked' }],
  ['priority from outside', { baggage: 'priority=high,priority=urgent' }],
  ['unknown model version in baggage', { baggage: 'model_version=../../v1' }],
  ['baggage properties and empty members', { baggage: ',,;,=,customer_segment=smb;prop=1,,' }],
  ['percent-encoded control characters in baggage', { baggage: 'customer_segment=%00%0d%0a,region=%E2%80%AE' }],
  ['legacy X-ML headers with odd values', { 'x-ml-model-version': '%00', 'x-business-customer-segment': '__proto__' }],
  ['a huge x-trace-id', { 'x-trace-id': 'f'.repeat(5000), 'x-span-id': 'zz' }],
];

/** Method and route fuzz. */
const ROUTES: Array<[name: string, method: string, path: (route: string) => string]> = [
  ['GET on the POST route', 'GET', (r) => r],
  ['PUT', 'PUT', (r) => r],
  ['DELETE', 'DELETE', (r) => r],
  ['PATCH', 'PATCH', (r) => r],
  ['OPTIONS', 'OPTIONS', (r) => r],
  ['HEAD', 'HEAD', (r) => r],
  ['dot segments', 'POST', (r) => `${r}/../../ready`],
  ['encoded dot segments', 'POST', () => '/%2e%2e/%2e%2e/etc/passwd'],
  ['an encoded NUL', 'POST', (r) => `${r}%00`],
  ['doubled slashes', 'POST', (r) => `/${r}//`],
  ['a 6 KB query string', 'POST', (r) => `${r}?q=${'a'.repeat(6000)}`],
  ['upper case', 'POST', (r) => r.toUpperCase()],
  ['a bad percent escape', 'GET', () => '/%zz'],
  ['a prototype key as the route', 'GET', () => '/__proto__'],
];

/** What Node's HTTP parser refuses, written on a raw socket. */
const RAW: Array<[name: string, data: (path: string) => string]> = [
  ['a NUL in a header', (p) => `POST ${p} HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\n\r\n`],
  ['Content-Length with Transfer-Encoding', (p) => `POST ${p} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`],
  ['two different Content-Lengths', (p) => `POST ${p} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}`],
  ['a negative Content-Length', (p) => `POST ${p} HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n`],
  ['a bad chunk size', (p) => `POST ${p} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`],
  ['20 KB of headers', (p) => `GET ${p} HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`],
  ['an invalid method token', (p) => `G@T ${p} HTTP/1.1\r\nHost: x\r\n\r\n`],
  ['an HTTP/0.9 request line', (p) => `GET ${p}\r\n\r\n`],
  ['a header without a colon', (p) => `GET ${p} HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n`],
  ['a space before the colon', (p) => `GET ${p} HTTP/1.1\r\nHost : x\r\n\r\n`],
];

const JSON_HEADERS = { 'content-type': 'application/json' };

/** Every case for every service. */
export function hostileCases(): HostileCase[] {
  const cases: HostileCase[] = [];
  for (const [service, target] of Object.entries(TARGETS) as Array<[ServiceName, (typeof TARGETS)[ServiceName]]>) {
    const post = (what: string, body: string | Buffer, headers: Record<string, string> = {}): HttpCase => ({
      kind: 'http',
      service,
      what,
      method: 'POST',
      path: target.path,
      headers: { ...JSON_HEADERS, ...headers },
      body,
    });
    for (const [slot, fill] of target.slots) for (const [name, json] of VALUES) cases.push(post(`${slot} = ${name}`, fill(json)));
    for (const [name, body] of BODIES) cases.push(post(`body: ${name}`, name === 'invalid UTF-8' ? Buffer.from(body, 'latin1') : body));
    for (const [name, headers] of HEADERS) cases.push(post(`headers: ${name}`, target.valid, headers));
    cases.push(post('content-type text/plain', target.valid, { 'content-type': 'text/plain' }));
    cases.push(post('content-type with a charset and junk parameters', target.valid, { 'content-type': 'application/json; charset=utf-7; x=";"' }));
    cases.push(post('a 10 MB body', Buffer.alloc(10 * 1024 * 1024, 0x20)));
    for (const [name, method, path] of ROUTES) {
      cases.push({ kind: 'http', service, what: `route: ${name}`, method, path: path(target.path), headers: method === 'POST' ? JSON_HEADERS : {}, ...(method === 'POST' ? { body: target.valid } : {}) });
    }
    for (const [name, data] of RAW) cases.push({ kind: 'raw', service, what: `raw: ${name}`, data: data(target.path) });
  }
  return cases;
}
