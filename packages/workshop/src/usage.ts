/** Bad command-line usage: exit code 2 with the message and a pointer to --help. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const EXIT_OK = 0;
export const EXIT_WRONG = 1;
export const EXIT_USAGE = 2;

export const LAB_HELP = `Usage: mltrace lab <command>

  mltrace lab list [--format json]          the labs, in order
  mltrace lab start <lab>                   start the system with the lab's scenario and traffic
  mltrace lab start --mystery [--seed N]    plant a scenario chosen at random, without saying which
                                            (--seed N: round N, the same for everyone who picks N)
  mltrace lab answer <scenario> [--service S] [--operation O] [--traces DIR]
                                            check a diagnosis of the running mystery, or of the
                                            traces in DIR (a folder, a file or a Jaeger URL);
                                            exit 0 right, 1 wrong, and what the traces show
  mltrace lab trace [SOURCE] [--trace ID | --where K=V… --failed --pick slowest|median] [--ids]
                                            one trace as a text timeline with its critical path
                                            (default: the slowest request of the lab's traces;
                                            --ids: span ids and the traceparent of each hop)
  mltrace lab stop                          stop the running lab (its traces stay)

The lab keeps its state, traces and logs in .mltrace/lab/ (MLTRACE_LAB_DIR); the system listens
on 8080–8083 (MLTRACE_LAB_PORTS=auto: free ports). With OTEL_EXPORTER_OTLP_ENDPOINT set, traces
go there (Jaeger) instead of files. The labs: docs/workshop/README.md.`;
