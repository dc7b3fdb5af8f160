import { readFileSync } from 'node:fs';
import { StrategiesFileError } from './errors';
import { parseStrategies, type ParsedStrategies } from './parse-strategies';

/** JSON.parse reports a character offset; people fix files by line and column. */
function describeJsonError(text: string, err: Error): string {
  const m = /position (\d+)/.exec(err.message);
  if (!m) return err.message;
  const before = text.slice(0, Number(m[1]));
  const line = before.split('\n').length;
  const column = Number(m[1]) - before.lastIndexOf('\n');
  return `${err.message} (line ${line}, column ${column})`;
}

/** Reads and validates a strategies file; every failure is a StrategiesFileError naming the file. */
export function loadStrategiesFile(path: string): ParsedStrategies {
  const source = `file ${path}`;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new StrategiesFileError(source, [`cannot be read: ${(err as Error).message}`]);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new StrategiesFileError(source, [`is not valid JSON: ${describeJsonError(text, err as Error)}`]);
  }
  return parseStrategies(doc, source);
}
