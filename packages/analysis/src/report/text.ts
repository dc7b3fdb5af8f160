/** The terminal report: aligned tables, top-N rows, units on every number. */
import type { AnalysisReport } from '../analyses/analyze';
import { buildSections, type SectionOptions, type Table } from './sections';

function width(s: string): number {
  return [...s].length;
}

function pad(s: string, w: number, align: 'l' | 'r'): string {
  const fill = ' '.repeat(Math.max(0, w - width(s)));
  return align === 'r' ? fill + s : s + fill;
}

/** Renders a table with columns padded to their widest cell (long cells are cut at 60 chars, trace ids never: they are to be copied). */
export function textTable(t: Table): string {
  const cut = (s: string, i: number) => (i !== t.traceColumn && width(s) > 60 ? `${[...s].slice(0, 59).join('')}…` : s);
  const rows = t.rows.map((r) => r.map(cut));
  const widths = t.columns.map((c, i) => Math.max(width(c), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: string[]) => cells.map((c, i) => pad(c, widths[i] as number, t.align[i] ?? 'l')).join('  ').trimEnd();
  const out = [];
  if (t.title) out.push(`  ${t.title}`);
  out.push(`  ${line(t.columns)}`);
  out.push(`  ${widths.map((w) => '─'.repeat(w)).join('  ')}`);
  for (const r of rows) out.push(`  ${line(r)}`);
  if (!rows.length) out.push('  (none)');
  return out.join('\n');
}

export function renderText(report: AnalysisReport, opts: SectionOptions = {}): string {
  const parts: string[] = [];
  for (const s of buildSections(report, opts)) {
    parts.push(`\n== ${s.title} ${'='.repeat(Math.max(3, 70 - s.title.length))}`);
    for (const l of s.lines) parts.push(`  ${l}`);
    for (const t of s.tables) parts.push('', textTable(t));
  }
  return `${parts.join('\n').trimStart()}\n`;
}
