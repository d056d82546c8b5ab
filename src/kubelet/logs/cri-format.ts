// The CRI container log format (kubernetes/cri-api "Container Log"): one record per line,
//   2016-10-06T00:17:09.669794202Z stdout F the line
// TIMESTAMP (RFC 3339 with nanoseconds, UTC), STREAM (stdout|stderr), TAG (F = the record ends a
// line, P = a fragment of a longer line that continues in the next record), then the content.
// Writers split lines longer than MAX_LINE_BYTES into P records, as containerd does.

export type LogStream = 'stdout' | 'stderr';

/** containerd's maxContainerLogLineSize: longer lines are split into partial (P) records. */
export const MAX_LINE_BYTES = 16 * 1024;

export interface CriRecord {
  /** As written (RFC 3339, nanoseconds). */
  timestamp: string;
  /** ms since epoch, for --since filtering. */
  timeMs: number;
  stream: LogStream;
  partial: boolean;
  content: Buffer;
}

// Date has ms precision; the sub-ms digits come from the monotonic clock so that records written
// within one millisecond still sort in the order they were written.
let lastMs = 0;
let lastSub = 0;

/** Now as a fixed-width RFC 3339 timestamp with 9 fractional digits, strictly increasing per process. */
export function criTimestamp(nowMs: number = Date.now()): string {
  const ms = Math.floor(nowMs);
  let sub = Math.floor((performance.now() % 1) * 1e6);
  if (ms === lastMs && sub <= lastSub) sub = Math.min(lastSub + 1, 999999);
  lastMs = ms;
  lastSub = sub;
  const iso = new Date(ms).toISOString(); // 2016-10-06T00:17:09.669Z
  return `${iso.slice(0, 23)}${String(sub).padStart(6, '0')}Z`;
}

/** One record line (with its trailing newline). */
export function formatCriLine(timestamp: string, stream: LogStream, partial: boolean, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${timestamp} ${stream} ${partial ? 'P' : 'F'} `), content, Buffer.from('\n')]);
}

/** Parses one line (without its newline); undefined when it is not a CRI record. */
export function parseCriLine(line: Buffer): CriRecord | undefined {
  const s1 = line.indexOf(0x20);
  if (s1 < 0) return undefined;
  const s2 = line.indexOf(0x20, s1 + 1);
  if (s2 < 0) return undefined;
  const stream = line.subarray(s1 + 1, s2).toString();
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  const timestamp = line.subarray(0, s1).toString();
  const timeMs = Date.parse(timestamp);
  if (Number.isNaN(timeMs)) return undefined;
  // Older writers omit the tag; treat such a record as a full line.
  const s3 = line.indexOf(0x20, s2 + 1);
  const tag = s3 < 0 ? line.subarray(s2 + 1).toString() : line.subarray(s2 + 1, s3).toString();
  if (tag === 'F' || tag === 'P') {
    return { timestamp, timeMs, stream, partial: tag === 'P', content: s3 < 0 ? Buffer.alloc(0) : line.subarray(s3 + 1) };
  }
  return { timestamp, timeMs, stream, partial: false, content: line.subarray(s2 + 1) };
}
