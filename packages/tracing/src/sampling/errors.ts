/** A strategies file (or remote response) that cannot be used; `problems` name each bad field by its JSON path. */
export class StrategiesFileError extends Error {
  override readonly name = 'StrategiesFileError';
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`sampling strategies ${source} is invalid: ${problems.join('; ')}`);
  }
}
