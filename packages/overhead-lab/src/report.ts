import { sliceCount } from './slices';
import type { BenchReport, ConfigSummary, ProfileResult } from './types';

const fixedS = (x: number) => String(Number(x.toFixed(2)));

const pct = (x: number) => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %` : 'n/a');
const fixed = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

/** The headline table: each configuration against untraced, measured in the same rounds. */
export function markdownTable(summaries: ConfigSummary[]): string {
  const lines = [
    row(['configuration', 'max throughput (req/s)', 'vs off', 'CPU/req vs off, saturated', 'p50 ms', 'p50 added', 'p99 ms', 'p99 added', 'CPU ms/req', 'CPU vs off', 'spans/req', 'bytes/req', 'errors']),
    row(Array(13).fill('---')),
  ];
  for (const s of summaries) {
    lines.push(
      row([
        `\`${s.config}\` ${s.label}`,
        fixed(s.maxThroughput, 1),
        `${fixed(s.throughputRatio * 100, 1)} % (${fixed(s.throughputRatioRange[0] * 100, 0)}–${fixed(s.throughputRatioRange[1] * 100, 0)})`,
        `× ${fixed(s.saturatedCpuRatio)} (${fixed(s.saturatedCpuRatioRange[0])}–${fixed(s.saturatedCpuRatioRange[1])})`,
        fixed(s.p50Ms),
        pct(s.p50Added),
        fixed(s.p99Ms),
        pct(s.p99Added),
        fixed(s.cpuMsPerRequest),
        `× ${fixed(s.cpuRatio)}`,
        fixed(s.spansPerRequest, 1),
        fixed(s.bytesPerRequest, 0),
        String(s.errors),
      ]),
    );
  }
  return lines.join('\n');
}

/** Spans per request by instrumentation scope, one column per configuration that exported any. */
export function scopeTable(summaries: ConfigSummary[]): string {
  const withSpans = summaries.filter((s) => s.spansPerRequest > 0);
  const scopes = [...new Set(withSpans.flatMap((s) => Object.keys(s.spansPerRequestByScope)))].sort();
  if (!scopes.length) return '';
  const lines = [row(['instrumentation scope', ...withSpans.map((s) => `\`${s.config}\``)]), row(Array(withSpans.length + 1).fill('---'))];
  for (const scope of scopes) lines.push(row([`\`${scope || '(none)'}\``, ...withSpans.map((s) => fixed(s.spansPerRequestByScope[scope] ?? 0))]));
  return lines.join('\n');
}

/** CPU ms per request per service, one row per configuration. */
export function cpuTable(summaries: ConfigSummary[]): string {
  const services = [...new Set(summaries.flatMap((s) => Object.keys(s.cpuMsPerRequestByService)))].sort();
  const lines = [row(['configuration', ...services, 'total']), row(Array(services.length + 2).fill('---'))];
  for (const s of summaries) lines.push(row([`\`${s.config}\``, ...services.map((n) => fixed(s.cpuMsPerRequestByService[n] ?? NaN, 3)), fixed(s.cpuMsPerRequest, 3)]));
  return lines.join('\n');
}

/** CPU ms per request by package, from the profiled runs; rows sorted by what tracing adds. */
export function packageTable(profiles: ProfileResult[], limit = 18): string {
  if (!profiles.length) return '';
  const first = profiles[0]!;
  const last = profiles[profiles.length - 1]!;
  const packages = [...new Set(profiles.flatMap((p) => Object.keys(p.msPerRequestByPackage)))];
  const added = (k: string) => (last.msPerRequestByPackage[k] ?? 0) - (first.msPerRequestByPackage[k] ?? 0);
  packages.sort((a, b) => added(b) - added(a));
  const lines = [row(['package', ...profiles.map((p) => `\`${p.config}\``), `added (\`${last.config}\` − \`${first.config}\`)`]), row(Array(profiles.length + 2).fill('---'))];
  for (const k of packages.slice(0, limit)) lines.push(row([k, ...profiles.map((p) => fixed(p.msPerRequestByPackage[k] ?? 0, 3)), fixed(added(k), 3)]));
  const total = (p: ProfileResult) => Object.values(p.msPerRequestByPackage).reduce((a, b) => a + b, 0);
  lines.push(row(['**total**', ...profiles.map((p) => fixed(total(p), 3)), fixed(total(last) - total(first), 3)]));
  return lines.join('\n');
}

function saturationNote(report: BenchReport): string[] {
  const saturated = report.summaries.filter((s) => s.maxThroughput < 1.25 * report.settings.openRate);
  if (!saturated.length) return [];
  return [
    `**Note:** ${saturated.map((s) => `\`${s.config}\``).join(', ')} saturate(s) at or near the open-loop rate (${report.settings.openRate} req/s): ` +
      'their latency columns measure queueing, not tracing cost. Rerun with a lower `--rate`.',
    '',
  ];
}

export function markdownReport(report: BenchReport): string {
  const m = report.machine;
  const st = report.settings;
  return [
    `# Tracing overhead, ${report.startedAt}`,
    '',
    `Machine: ${m.nproc} cores, ${m.cpuModel}, ${m.memoryGiB} GiB, ${m.os}, node ${m.node}. ` +
      `${st.rounds} rounds over ${st.configurations.length} configurations (${report.durationS.toFixed(0)} s in all), every configuration's system running in each round; ` +
      `per configuration and round: ${st.warmupS} s warm-up, ${st.closedS} s closed loop at ${st.connections} connections (max throughput) in ${sliceCount(st)} slices of ${fixedS(st.closedS / sliceCount(st))} s interleaved across configurations, ` +
      `${st.openS} s open loop at ${st.openRate.toFixed(1)} req/s (latency, CPU). Throughput and saturated CPU per request (the four services, /proc) vs off: median over the slices of each slice against the untraced slice next to it (interquartile range in brackets); ` +
      'the other columns: the open loop, medians over rounds, ratios against the untraced run of the same round.',
    '',
    markdownTable(report.summaries),
    '',
    ...saturationNote(report),
    '## CPU per request by service (ms, open-loop phase)',
    '',
    cpuTable(report.summaries),
    '',
    '## Spans per request by instrumentation scope',
    '',
    scopeTable(report.summaries),
    '',
    ...(report.profiles.length
      ? [
          '## CPU ms per request by package (V8 CPU profiles, all services, saturated closed loop)',
          '',
          'Each service\'s CPU time from /proc split by the share of profile samples whose nearest script frame belongs to the package ' +
            '(builtins such as JSON.stringify are charged to their caller). The profiler adds its own cost, the same in every column.',
          '',
          packageTable(report.profiles),
          '',
        ]
      : []),
  ].join('\n');
}
