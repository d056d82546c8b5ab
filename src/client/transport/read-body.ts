// Reading a streamed response body whole, for transports and the REST client alike.
import { finished, type Readable } from 'node:stream';
import type { BufferedResponse, TransportResponse } from '../types.js';

/** The whole body. A body that closes before its end rejects (ERR_STREAM_PREMATURE_CLOSE, or the
 *  stream's own error), as async iteration does; 'data' events and one finished() callback cost
 *  less per response than an async iterator's promise per chunk. */
export function readAll(body: Readable): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    body.on('data', (c: Buffer | string) => chunks.push(typeof c === 'string' ? Buffer.from(c) : c));
    finished(body, { writable: false }, (err) => {
      if (err) reject(err);
      else resolve(joinChunks(chunks));
    });
  });
}

export function joinChunks(chunks: Buffer[]): Buffer {
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
}

/** A streamed response read whole; for a body cut short, an empty body and the failure in `error`. */
export async function bufferResponse(res: TransportResponse): Promise<BufferedResponse> {
  try {
    return { status: res.status, headers: res.headers, body: await readAll(res.body) };
  } catch (err) {
    return { status: res.status, headers: res.headers, body: Buffer.alloc(0), error: err as Error };
  }
}
