// Decodes a watch response body (one JSON event per line) into a WatchStream. Contracts:
// - Pull-based: the body is read only when the consumer asks for the next event, so a slow
//   consumer leaves bytes in the socket/stream buffers and the server sees backpressure.
// - Nothing is dropped silently: a line that is not JSON, an event of unknown type, a body that
//   ends mid-line or a connection that closes early ends the iteration with an error.
// - An ERROR event carrying a Status ends the iteration with an ApiError (410 → isGone).
// - stop() (or breaking out of for-await) aborts the request; iteration then ends without error.
import type { Readable } from 'node:stream';
import type { Status } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../api/object.js';
import type { WatchEvent, WatchEventType, WatchStream } from '../types.js';
import { apiErrorFromStatus } from '../rest/errors.js';

const eventTypes = new Set<WatchEventType>(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);

/** Watch decoding failed: the stream carried something that is not a watch event. */
export class WatchDecodeError extends Error {
  override readonly name = 'WatchDecodeError';
}

/** The connection ended before the server closed the watch cleanly. */
export class WatchConnectionError extends Error {
  override readonly name = 'WatchConnectionError';
}

/** Parses one line into an event; throws on anything that is not a well-formed event. */
export function decodeEventLine<T extends KubeObject>(line: string): WatchEvent<T> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (err) {
    throw new WatchDecodeError(`watch: cannot decode event ${JSON.stringify(line.slice(0, 200))}: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null) throw new WatchDecodeError(`watch: event is not an object: ${JSON.stringify(line.slice(0, 200))}`);
  const { type, object } = parsed as { type?: unknown; object?: unknown };
  if (typeof type !== 'string' || !eventTypes.has(type as WatchEventType)) {
    throw new WatchDecodeError(`watch: unknown event type ${JSON.stringify(type)}`);
  }
  if (typeof object !== 'object' || object === null) throw new WatchDecodeError(`watch: ${type} event without an object`);
  return { type: type as WatchEventType, object: object as T };
}

// ---- leaving metadata.managedFields out ------------------------------------------------------
// An informer that drops managedFields anyway (a scheduler's pods: upstream trims them as well)
// may have its watch leave them out of each line before JSON.parse: they are about half of a
// pod's JSON, and the costliest half to parse (an object per field of every manager's set).
// The cut is exact or not made: the line must start as an event whose object's metadata follows
// at most its apiVersion and kind, and "managedFields" must be a key of that metadata object
// itself (found by walking its members, strings skipped whole); anything else, or a line that is
// not compact JSON, is parsed whole. JSON.parse of the cut line gives the object the full line
// gives, minus that one key, with every other key in its place.

/** An event's head up to its object's metadata: {"type":"X","object":{ then apiVersion and kind (either order, each optional), then "metadata":{. */
const eventHead = /^\{"type":"[A-Z]+","object":\{(?:"(?:apiVersion|kind)":"[^"\\]*",){0,2}"metadata":\{/;
const managedFieldsKey = '"managedFields":[';

/** The index of the quote that ends the string whose opening quote is at `start`; -1 if none. */
function stringEnd(s: string, start: number): number {
  let q = s.indexOf('"', start + 1);
  while (q > 0) {
    // Escaped when an odd number of backslashes precede it.
    let k = q - 1;
    while (s.charCodeAt(k) === 92) k--;
    if ((q - 1 - k) % 2 === 0) return q;
    q = s.indexOf('"', q + 1);
  }
  return -1;
}

/**
 * Walks JSON text from `i`, at nesting `depth`, skipping strings whole, until index `end` or until
 * the depth falls to `floor`: where it stopped and the depth there; undefined if a string is cut.
 */
function walk(s: string, i: number, depth: number, end: number, floor: number): [at: number, depth: number] | undefined {
  while (i < end && depth > floor) {
    const c = s.charCodeAt(i);
    if (c === 34) {
      const q = stringEnd(s, i);
      if (q < 0) return undefined;
      i = q + 1;
      continue;
    }
    if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93) depth--;
    i++;
  }
  return [i, depth];
}

/** A watch event line without its object's metadata.managedFields, or the line itself when that cannot be cut exactly. */
export function withoutManagedFields(line: string): string {
  const at = line.indexOf(managedFieldsKey);
  if (at < 0) return line;
  const head = eventHead.exec(line);
  if (!head || head[0].length > at) return line;
  // Metadata's members up to `at`: it must start one of them (depth 0, not inside a string).
  const upTo = walk(line, head[0].length, 0, at, -1);
  const before = line.charCodeAt(at - 1);
  if (!upTo || upTo[0] !== at || upTo[1] !== 0 || (before !== 44 && before !== 123)) return line;
  // The array's end: just past its closing bracket.
  const past = walk(line, at + managedFieldsKey.length, 1, line.length, 0);
  if (!past || past[1] !== 0) return line;
  const j = past[0];
  // After another member: drop the comma before it. First member: drop the comma after it, if any.
  if (before === 44) return line.slice(0, at - 1) + line.slice(j);
  return line.slice(0, at) + line.slice(line.charCodeAt(j) === 44 ? j + 1 : j);
}

export class WatchDecoder<T extends KubeObject = KubeObject> implements WatchStream<T> {
  private stopped = false;
  private iterated = false;

  /**
   * @param abort cancels the underlying request (called on stop and when iteration ends early).
   * @param dropManagedFields leave each object's metadata.managedFields out (see withoutManagedFields).
   */
  constructor(
    private readonly body: Readable,
    private readonly abort: () => void = () => {},
    private readonly dropManagedFields = false,
  ) {}

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.abort();
    this.body.destroy();
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  [Symbol.asyncIterator](): AsyncIterator<WatchEvent<T>> {
    if (this.iterated) throw new Error('a WatchStream can be iterated only once');
    this.iterated = true;
    return this.events();
  }

  private async *events(): AsyncGenerator<WatchEvent<T>> {
    // Lines are split on the byte '\n' (which UTF-8 never uses inside a character), so a chunk
    // ending mid-character needs no decoder state, and each line is decoded once, on its own.
    // The bytes of a line not ended yet (a chunk may end mid-event).
    let partial: Buffer[] = [];
    try {
      for await (const chunk of this.body as AsyncIterable<Buffer | string>) {
        const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
        let start = 0;
        let nl: number;
        while ((nl = buf.indexOf(10, start)) >= 0) {
          let line: string;
          if (partial.length) {
            partial.push(buf.subarray(start, nl));
            line = Buffer.concat(partial).toString('utf8');
            partial = [];
          } else line = buf.toString('utf8', start, nl);
          start = nl + 1;
          line = eventText(line);
          if (!line) continue;
          const event = decodeEventLine<T>(this.dropManagedFields ? withoutManagedFields(line) : line);
          if (event.type === 'ERROR') throw apiErrorFromStatus(event.object as unknown as Status);
          yield event;
          if (this.stopped) return;
        }
        if (start < buf.length) partial.push(start === 0 ? buf : buf.subarray(start));
      }
    } catch (err) {
      if (this.stopped) return;
      // Our own verdicts and a caller's abort (signal) pass through unchanged.
      if (err instanceof WatchDecodeError || (err instanceof Error && (err.name === 'ApiError' || err.name === 'AbortError'))) throw err;
      throw new WatchConnectionError(`watch connection ended: ${(err as Error).message ?? String(err)}`, { cause: err });
    } finally {
      // Whatever ended the iteration (server close, error, consumer break), release the request.
      if (!this.stopped) {
        this.stopped = true;
        this.abort();
        this.body.destroy();
      }
    }
    const rest = partial.length ? Buffer.concat(partial).toString('utf8').trim() : '';
    if (rest) {
      // A partial multi-byte character or a cut line: the connection ended mid-event.
      throw new WatchDecodeError(`watch: stream ended in the middle of an event ${JSON.stringify(rest.slice(0, 200))}`);
    }
  }
}

/** The line trimmed, without trim()'s scan and copy for the usual event line ("{...}"). */
function eventText(line: string): string {
  return line.charCodeAt(0) === 123 && line.charCodeAt(line.length - 1) === 125 ? line : line.trim();
}
