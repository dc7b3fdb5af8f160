/** The Markdown report (same sections as the text report). */
import type { AnalysisReport } from '../analyses/analyze';
import { buildSections, type SectionOptions, type Table } from './sections';

/** Escapes what would break a table cell or start Markdown/HTML markup. */
export function mdEscape(s: string): string {
  return s.replace(/[\\`*_[\]|<>]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : `\\${c}`)).replace(/\r?\n/g, ' ');
}

export function mdTable(t: Table): string {
  const out: string[] = [];
  if (t.title) out.push(`**${mdEscape(t.title)}**`, '');
  out.push(`| ${t.columns.map(mdEscape).join(' | ')} |`);
  out.push(`|${t.align.map((a) => (a === 'r' ? ' ---: ' : ' --- ')).join('|')}|`);
  for (const r of t.rows) out.push(`| ${r.map(mdEscape).join(' | ')} |`);
  return out.join('\n');
}

export function renderMarkdown(report: AnalysisReport, opts: SectionOptions = {}): string {
  const parts = ['# mltrace analysis'];
  for (const s of buildSections(report, opts)) {
    parts.push('', `## ${mdEscape(s.title)}`, '');
    if (s.id === 'recommendations') parts.push(...s.lines.map((l) => (/^\d+\./.test(l) ? mdEscape(l).replace(/^(\d+)\\?\./, '$1.') : `   ${mdEscape(l.trim())}`)));
    else for (const l of s.lines) parts.push(`- ${mdEscape(l)}`);
    for (const t of s.tables) parts.push('', mdTable(t));
  }
  return `${parts.join('\n')}\n`;
}
