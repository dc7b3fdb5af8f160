/** The Markdown report (same sections as the text report; trace ids as code, linked to Jaeger UI when a base URL is known). */
import type { AnalysisReport } from '../analyses/analyze';
import { traceUrl } from './format';
import { buildSections, examplesLine, NO_RECOMMENDATIONS, recommendationLines, type IdFormat, type SectionOptions, type Table } from './sections';

export interface MarkdownOptions extends SectionOptions {
  /** Jaeger UI base URL: trace ids become links to `<url>/trace/<id>`. */
  jaegerUrl?: string;
}

/** Escapes what would break a table cell or start Markdown/HTML markup. */
export function mdEscape(s: string): string {
  return s.replace(/[\\`*_[\]|<>]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : `\\${c}`)).replace(/\r?\n/g, ' ');
}

/** An id as inline code; an id a code span cannot hold (a backtick, a pipe, a line break) as escaped text. */
function mdCode(id: string): string {
  return /^[^`|\r\n]+$/.test(id) ? `\`${id}\`` : mdEscape(id);
}

/** A trace id as code, linked to its Jaeger UI page when a base URL is known. */
export function mdTraceId(id: string, jaegerUrl: string | undefined): string {
  if (jaegerUrl === undefined) return mdCode(id);
  // Characters that would end the link destination or break a table cell are percent-encoded.
  const url = traceUrl(jaegerUrl, id).replace(/[\s()<>|]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  return `[${mdCode(id)}](${url})`;
}

export function mdTable(t: Table, jaegerUrl?: string): string {
  const cell = (c: string, i: number) => (i === t.traceColumn && c ? c.split(', ').map((id) => mdTraceId(id, jaegerUrl)).join(', ') : mdEscape(c));
  const out: string[] = [];
  if (t.title) out.push(`**${mdEscape(t.title)}**`, '');
  out.push(`| ${t.columns.map(mdEscape).join(' | ')} |`);
  out.push(`|${t.align.map((a) => (a === 'r' ? ' ---: ' : ' --- ')).join('|')}|`);
  for (const r of t.rows) out.push(`| ${r.map(cell).join(' | ')} |`);
  return out.join('\n');
}

/** The recommendations as a numbered list, their example trace and span ids as code (trace ids linked). */
function mdRecommendations(report: AnalysisReport, jaegerUrl: string | undefined): string[] {
  if (!report.recommendations.length) return [mdEscape(NO_RECOMMENDATIONS)];
  const ids: IdFormat = { traceId: (id) => mdTraceId(id, jaegerUrl), spanId: mdCode, text: mdEscape };
  return report.recommendations.flatMap((x, i) => {
    const l = recommendationLines(x, i, examplesLine(x, ids));
    // The head keeps its list number unescaped: "1." starts an ordered list item.
    return [`${i + 1}. ${mdEscape(l.head.replace(/^\d+\.\s*/, ''))}`, ...l.body.map((b) => `   ${mdEscape(b)}`), ...(l.examples ? [`   examples: ${l.examples}`] : []), `   ${mdEscape(l.action)}`];
  });
}

export function renderMarkdown(report: AnalysisReport, opts: MarkdownOptions = {}): string {
  const parts = ['# mltrace analysis'];
  for (const s of buildSections(report, opts)) {
    parts.push('', `## ${mdEscape(s.title)}`, '');
    if (s.id === 'recommendations') parts.push(...mdRecommendations(report, opts.jaegerUrl));
    else for (const l of s.lines) parts.push(`- ${mdEscape(l)}`);
    for (const t of s.tables) parts.push('', mdTable(t, opts.jaegerUrl));
  }
  return `${parts.join('\n')}\n`;
}
