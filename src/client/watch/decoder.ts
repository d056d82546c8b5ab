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

export class WatchDecoder<T extends KubeObject = KubeObject> implements WatchStream<T> {
  private stopped = false;
  private iterated = false;

  /** @param abort cancels the underlying request (called on stop and when iteration ends early). */
  constructor(
    private readonly body: Readable,
    private readonly abort: () => void = () => {},
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
          const event = decodeEventLine<T>(line);
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
