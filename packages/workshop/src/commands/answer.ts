import { parseArgs } from 'node:util';
import { analyze, loadSources, type AnalysisReport, type Trace } from '@mltrace/analysis';
import { isScenarioName, SCENARIO_NAMES, SCENARIOS, type ScenarioName } from '@mltrace/scenarios';
import type { WorkshopConfig } from '../config';
import { checksFor, scenariosShown, whatTracesShow } from '../signatures';
import { loadOptionsFor } from '../lab-window';
import { shown } from '../shown';
import { readState, revealScenario } from '../state';
import { EXIT_OK, EXIT_WRONG, UsageError } from '../usage';
import { jaegerQueryUrl } from '../jaeger-url';

export interface Diagnosis {
  scenario: ScenarioName;
  service?: string;
  operation?: string;
}

export interface Verdict {
  right: boolean;
  /** The explanation, one line each. */
  lines: string[];
}

function parse(argv: string[]): { diagnosis: Diagnosis; traces?: string } {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { service: { type: 'string' }, operation: { type: 'string' }, traces: { type: 'string' } },
    allowPositionals: true,
  });
  if (positionals.length !== 1) throw new UsageError(`answer needs one scenario name: ${SCENARIO_NAMES.join(', ')}`);
  const scenario = positionals[0] as string;
  if (!isScenarioName(scenario)) throw new UsageError(`${JSON.stringify(scenario)} is not a scenario; the scenarios: ${SCENARIO_NAMES.join(', ')}`);
  return {
    diagnosis: { scenario, ...(values.service ? { service: values.service } : {}), ...(values.operation ? { operation: values.operation } : {}) },
    ...(values.traces ? { traces: values.traces } : {}),
  };
}

/**
 * Judges a diagnosis against the truth: the planted scenario when known (a mystery), else what
 * the report shows (`shown`). Right means the scenario, and the service and operation when
 * given, are where the problem is; the lines say what the traces show either way.
 */
export function judge(d: Diagnosis, report: AnalysisReport, traces: readonly Trace[], planted?: ScenarioName): Verdict {
  const lines: string[] = [];
  const shownNow = scenariosShown(report, traces);
  const truth = planted ?? (shownNow.includes(d.scenario) ? d.scenario : undefined);
  const spec = SCENARIOS[d.scenario];
  const checks = checksFor(d.scenario, report, traces);
  let right = truth === d.scenario;
  if (right) {
    lines.push(`Right: ${d.scenario}. What the traces show:`);
    for (const c of checks) lines.push(`  - ${c.seen}`);
  } else {
    lines.push(`Not ${d.scenario}. ${d.scenario} would show ${checks.map((c) => c.what).join(', and ')}; these traces show:`);
    for (const c of checks) lines.push(`  - ${c.holds ? '(this holds) ' : ''}${c.seen}`);
  }
  if (d.service !== undefined) {
    const ok = d.service === spec.service;
    if (right && !ok) lines.push(`But the service is wrong: ${d.scenario} starts in ${spec.service}, not ${d.service}.`);
    else if (right) lines.push(`Service: yes, ${spec.service}.`);
    right &&= ok;
  }
  if (d.operation !== undefined) {
    const ok = (spec.operations as readonly string[]).includes(d.operation) && (d.service === undefined || d.service === spec.service);
    if (right && !ok) lines.push(`But the operation is wrong: look at ${spec.service}'s ${spec.operations.slice(0, 2).join(' or ')}, not ${d.operation}.`);
    else if (right) lines.push(`Operation: yes, ${d.operation}.`);
    right &&= ok;
  }
  if (!right) {
    lines.push('What the report does show:');
    for (const l of whatTracesShow(report)) lines.push(`  - ${l}`);
  }
  return { right, lines };
}

export async function runAnswer(argv: string[], config: WorkshopConfig, out: (text: string) => void): Promise<number> {
  const { diagnosis, traces } = parse(argv);
  const state = readState(config.labDir);
  let source: string;
  let planted: ScenarioName | undefined;
  if (traces) {
    source = traces;
  } else {
    if (!state?.mystery) throw new UsageError('no mystery has been started: run "mltrace lab start --mystery", or pass --traces DIR to judge a folder of traces');
    const name = revealScenario(state);
    if (!isScenarioName(name)) throw new Error(`the mystery's state in ${shown(config.labDir)} is damaged; start a new one`);
    planted = name;
    if (state.otlpEndpoint) throw new UsageError(`the mystery's traces went to ${state.otlpEndpoint}: pass --traces with the Jaeger query URL (e.g. ${jaegerQueryUrl(state.otlpEndpoint)})`);
    source = state.tracesDir;
  }
  const loaded = await loadSources([source], loadOptionsFor(source, state));
  if (loaded.traces.length === 0) throw new Error(`no traces in ${shown(source)}`);
  const verdict = judge(diagnosis, analyze(loaded.traces), loaded.traces, planted);
  for (const line of verdict.lines) out(line);
  return verdict.right ? EXIT_OK : EXIT_WRONG;
}
