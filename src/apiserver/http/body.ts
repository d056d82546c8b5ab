// Reading and decoding request bodies: JSON, YAML and Kubernetes protobuf, with upstream's size
// limit and errors that name what is wrong. Nothing here throws anything but a StatusError.
import type { IncomingMessage } from 'node:http';
import { parseDocument } from 'yaml';
import { badRequest, tooLarge, unsupportedMediaType } from '../../api/status.js';
import { decodeProtobufObject, isProtobufContentType } from '../../api/protobuf/decode.js';
import type { Http2Request } from './http2-exchange.js';

/** An HTTP/1.1 request, or an HTTP/2 stream's (http2-exchange.ts). */
export type Request = IncomingMessage | Http2Request;

/** Upstream's limit for a request body (apiserver MaxRequestBodyBytes). */
export const maxBodyBytes = 3 * 1024 * 1024;
/** Deeper nesting than this is refused before anything walks the object recursively. */
export const maxNestingDepth = 500;

/**
 * The whole body, refused with 413 past `limit` (the rest is drained, not buffered). Reads with
 * 'data'/'end' listeners: an async iterator costs noticeably more per request on the create path.
 */
export function readBody(req: Request, limit = maxBodyBytes): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    req.resume();
    return Promise.reject(tooLarge('Request entity too large: limit is 3145728'));
  }
  // Already read to the end (as an iterator would find it): nothing more.
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      reject(err);
    };
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > limit) {
        fail(tooLarge('Request entity too large: limit is 3145728'));
        return;
      }
      chunks.push(chunk);
    });
    // `on`, not `once`: every handler is a no-op once settled, and `once` wraps each listener
    // in two more allocations per request.
    req.on('end', () => {
      if (settled) return;
      settled = true;
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    });
    req.on('error', fail);
    // The client went away before the body ended ('close' also comes after every complete
    // body: no Error, with its stack trace, is built then).
    req.on('close', () => {
      if (!settled) fail(new Error('the request body ended early: the client closed the connection'));
    });
  });
}

export function mediaType(contentType: string | undefined): string {
  // What nearly every client sends, already in its normal form (no split per request).
  if (contentType === 'application/json') return contentType;
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

export interface DecodedBody {
  value: unknown;
  /**
   * The JSON text when the body was JSON and may hold duplicate fields (for their detection). An
   * object body whose keys all survived parsing has none, and leaves this out.
   */
  jsonText?: string;
}

/** Decodes a body whose content type is one of the object encodings (not a patch type). */
export function decodeObjectBody(body: Buffer, contentType: string | undefined): DecodedBody {
  const mt = mediaType(contentType);
  if (mt === '' || mt === 'application/json' || mt === '*/*') return decodeJSON(body, true);
  if (mt === 'application/yaml' || mt === 'application/x-yaml' || mt === 'text/yaml') return { value: decodeYAML(body) };
  if (isProtobufContentType(mt)) return { value: decodeProtobufObject(body) };
  throw unsupportedMediaType(contentType ?? '');
}

/**
 * Parses a JSON body after one scan that refuses deep nesting and counts the object keys in the
 * text. With `omitTextIfNoDuplicates`, the text is returned only if parsing lost keys (JSON.parse
 * keeps the last of duplicate keys), so the duplicate-field scan runs only when there are some.
 */
export function decodeJSON(body: Buffer, omitTextIfNoDuplicates = false): DecodedBody {
  // UTF-8; toString() without arguments is Buffer's fast path (no encoding or range checks).
  const text = body.toString();
  if (text.trim() === '') throw badRequest('Object \'Kind\' is missing in \'\': the request body is empty');
  const keysInText = checkDepth(text);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw badRequest(`error decoding JSON body: ${(err as Error).message}`);
  }
  if (omitTextIfNoDuplicates && countKeys(value) === keysInText) return { value };
  return { value, jsonText: text };
}

export function decodeYAML(body: Buffer): unknown {
  const text = body.toString('utf8');
  checkDepth(text);
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length) throw badRequest(`error converting YAML to JSON: ${doc.errors[0].message}`);
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw badRequest(`error converting YAML to JSON: ${(err as Error).message}`);
  }
}

/**
 * Linear scan of bracket depth outside strings; refuses pathological nesting. Returns the number
 * of colons outside strings: in JSON text, the number of object keys. Most of a body is inside
 * strings: each is skipped with indexOf to its closing quote (one not escaped by an odd run of
 * backslashes) instead of a character at a time — the same result, several times faster.
 */
export function checkDepth(text: string): number {
  let depth = 0;
  let colons = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      let end = text.indexOf('"', i + 1);
      while (end > 0 && escapedQuote(text, end)) end = text.indexOf('"', end + 1);
      // An unterminated string runs to the end (JSON.parse reports it).
      if (end < 0) return colons;
      i = end;
    } else if (c === 58) colons++;
    else if (c === 123 || c === 91) {
      if (++depth > maxNestingDepth) throw badRequest(`the request body is nested more than ${maxNestingDepth} levels deep`);
    } else if (c === 125 || c === 93) depth--;
  }
  return colons;
}

/** The quote at `at` follows an odd number of backslashes (inside a string: it is escaped). */
function escapedQuote(text: string, at: number): boolean {
  let i = at - 1;
  while (text.charCodeAt(i) === 92) i--;
  return (at - 1 - i) % 2 === 1;
}

/** Object keys in a parsed JSON value, at every level. */
function countKeys(v: unknown): number {
  if (v === null || typeof v !== 'object') return 0;
  let n = 0;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) n += countKeys(v[i]);
    return n;
  }
  const o = v as Record<string, unknown>;
  for (const k in o) n += 1 + countKeys(o[k]);
  return n;
}
