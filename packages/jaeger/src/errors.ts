/** Why a tool is not available or a backend did not start; `code` is stable for callers and tests. */
export type ToolErrorCode =
  /** No go command (on PATH, at /usr/local/go/bin/go, or MLTRACE_GO). */
  | 'TOOL_GO_MISSING'
  /** A build had to download modules and the Go module proxy did not answer. */
  | 'TOOL_PROXY_UNREACHABLE'
  /** go build failed for another reason (its output is in the message). */
  | 'TOOL_BUILD_FAILED'
  /** A started tool exited or never became ready. */
  | 'TOOL_NOT_READY'
  /** A tool ran and reported an error (e.g. an invalid configuration). */
  | 'TOOL_FAILED';

export class ToolError extends Error {
  override readonly name = 'ToolError';

  constructor(
    readonly code: ToolErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
