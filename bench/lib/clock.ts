// A clock shared by every process on the machine: process.hrtime is CLOCK_MONOTONIC on Linux,
// so a time taken in a load worker can be compared with one taken in the orchestrator.

/** Milliseconds on the system-wide monotonic clock. */
export function monoMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** Waits until the monotonic clock reaches t (ms). */
export async function sleepUntil(t: number): Promise<void> {
  const d = t - monoMs();
  if (d > 0) await sleep(d);
}
