/** A source could not be read at all; the message names the file (or URL) and the line or offset. */
export class LoadError extends Error {
  override readonly name = 'LoadError';
  constructor(
    message: string,
    /** The file or URL that failed. */
    readonly source: string,
    /** Further reasons (e.g. every record that was skipped), when there were several. */
    readonly reasons: string[] = [],
  ) {
    super(message);
  }
}

/** A record that cannot be converted; the collector turns it into a skip reason. */
export class RecordError extends Error {
  override readonly name = 'RecordError';
}
