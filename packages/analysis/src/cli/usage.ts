/** Bad command-line usage: exit code 2 with the message and a pointer to --help. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** The main help; `more` lists the commands another package adds (\`mltrace lab\`), one line each, after the built-in ones. */
export function mainHelp(more: Array<{ name: string; summary: string }> = []): string {
  const added = more.map(({ name, summary }) => `\n  ${`mltrace ${name} …`.padEnd(44)}${summary}`).join('');
  return `mltrace — trace analysis for ML inference pipelines

Usage:
  mltrace analyze <source…> [options]        full report (performance, bottlenecks, errors, …, recommendations)
  mltrace critical-path <source…> [options]  per-trace critical path (Jaeger UI semantics)
  mltrace compare <sourceA> <sourceB>         two sets of traces side by side, with significance
  mltrace compare <source…> --compare K=A,B   two slices of one source, side by side
  mltrace load [options]                      drive load against the gateway (see mltrace load --help)${added}

A source is an OTLP/JSON file, an OTLP/JSON-lines file (the file exporter's output), a Jaeger
JSON file, a directory of such files, or the http(s) URL of a Jaeger query service.

Run "mltrace help <command>" (or "mltrace <command> --help") for the options of a command;
"mltrace --version" prints the version.
Exit codes: 0 success, 1 failure (unreadable input, no traces), 2 bad usage.`;
}

export const ANALYZE_HELP = `Usage: mltrace analyze <source…> [options]

Selection:
  --service NAME          keep traces that contain a span of this service
  --operation NAME        keep traces that contain a span with this name
  --since TIME            keep traces starting at/after TIME (ISO 8601, epoch ms, or a duration ago: 30s, 15m, 2h, 1d)
  --until TIME            keep traces starting before TIME
  --where KEY=VALUE       keep traces whose attribute KEY equals VALUE (repeatable; all must hold)
  --limit N               keep at most N traces (the most recent)
Loading:
  --threads N             threads converting large JSON-lines files (default: the cores, at most 4; 1 = this thread only)
Analysis:
  --compare KEY=A,B       compare two slices, e.g. ml.model.version=v1,v2
  --bucket-ms MS          throughput/timeline bucket (default 1000)
  --speedup PCT           "if it were PCT % faster" for saving potential (default 50)
  --target-rate RPS       target request rate for the Little's-law estimate (default 2 × observed peak)
  --entry-service NAME    the service requests enter through (default: gateway on mltrace's own
                          traces, else the most common root service of the requests)
  --expect-edge A->B      expected service edge (repeatable; A->B? = only when A called B; default:
                          none, or gateway->feature-store?, gateway->inference, gateway->postprocess
                          on mltrace's own traces)
  --topology FILE         JSON {entryService, expectedEdges ["A->B", "A->B?"], pipelineOrder [...],
                          featureStoreService}; flags given as well win
  --jaeger-url URL        link trace ids in the HTML and Markdown reports to this Jaeger UI
                          (default: the source, when it is a Jaeger URL)
  --top N                 rows per ranked table (default 10 in reports, 20 in JSON)
  --summary               text/md/html: only the summary and the recommendations
Output:
  --format FMT            text (default) | json | md | html
  --out FILE              write the report to FILE instead of stdout
  -h, --help              this help`;

export const CRITICAL_PATH_HELP = `Usage: mltrace critical-path <source…> [options]

Prints each trace's critical path with Jaeger UI's semantics (sections newest first).
  --format FMT     json (default: {"traces":[{"traceId","sections":[{"spanId","start","end"}]}]}, µs) | text
  --trace ID       only this trace id
  --threads N      threads converting large JSON-lines files (default: the cores, at most 4)
  --out FILE       write to FILE instead of stdout
  -h, --help       this help`;

export const COMPARE_HELP = `Usage: mltrace compare <sourceA> <sourceB> [options]
       mltrace compare <source…> --compare KEY=A,B [options]

Compares two sets of traces (e.g. before/after a change): end-to-end latency (Mann–Whitney U),
error rate (two-proportion z-test), prediction confidence, per-operation medians and each
service's share of the critical path.
  --compare K=A,B  compare two slices of one source (e.g. ml.model.version=v1,v2)
  --where K=V      keep only traces whose attribute K equals V (repeatable; all must hold)
  --format FMT     text (default) | json | md
  --out FILE       write to FILE instead of stdout
  -h, --help       this help`;
