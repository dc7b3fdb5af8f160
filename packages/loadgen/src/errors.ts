/** Bad command line or options: the CLI exits with 2. */
export class LoadUsageError extends Error {
  override name = 'LoadUsageError';
}

/** A mix file that cannot be read or does not match the schema: exits with 2 too. */
export class MixError extends LoadUsageError {
  override name = 'MixError';
}
