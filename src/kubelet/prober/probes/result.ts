// The outcome of one probe run (upstream pkg/probe): Warning counts as success but is reported
// (an HTTP probe that stopped at a redirect to another host); Unknown means the probe could not
// run at all (bad port, runtime error) and is retried, never counted.
export type ProbeResult = 'Success' | 'Warning' | 'Failure' | 'Unknown';

export interface ProbeOutcome {
  result: ProbeResult;
  /** What the user sees in the Unhealthy event: the failure reason, or the output on success. */
  output: string;
}

/** Probe output kept for messages (upstream reads at most 10 KiB of a body or of exec output). */
export const maxProbeOutput = 10 * 1024;

export function joinHostPort(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}
