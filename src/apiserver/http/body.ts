// Reading and decoding request bodies: JSON, YAML and Kubernetes protobuf, with upstream's size
// limit and errors that name what is wrong. Nothing here throws anything but a StatusError.
import type { IncomingMessage } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';
import { parseDocument } from 'yaml';
import { badRequest, tooLarge, unsupportedMediaType } from '../../api/status.js';
import { decodeProtobufObject, isProtobufContentType } from '../../api/protobuf/decode.js';

export type Request = IncomingMessage | Http2ServerRequest;

/** Upstream's limit for a request body (apiserver MaxRequestBodyBytes). */
export const maxBodyBytes = 3 * 1024 * 1024;
/** Deeper nesting than this is refused before anything walks the object recursively. */
export const maxNestingDepth = 500;

export async function readBody(req: Request, limit = maxBodyBytes): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    req.resume();
    throw tooLarge('Request entity too large: limit is 3145728');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      throw tooLarge('Request entity too large: limit is 3145728');
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

export interface DecodedBody {
  value: unknown;
  /** The JSON text when the body was JSON (for duplicate-field detection). */
  jsonText?: string;
}

/** Decodes a body whose content type is one of the object encodings (not a patch type). */
export function decodeObjectBody(body: Buffer, contentType: string | undefined): DecodedBody {
  const mt = mediaType(contentType);
  if (mt === '' || mt === 'application/json' || mt === '*/*') return decodeJSON(body);
  if (mt === 'application/yaml' || mt === 'application/x-yaml' || mt === 'text/yaml') return { value: decodeYAML(body) };
  if (isProtobufContentType(mt)) return { value: decodeProtobufObject(body) };
  throw unsupportedMediaType(contentType ?? '');
}

export function decodeJSON(body: Buffer): DecodedBody {
  const text = body.toString('utf8');
  if (text.trim() === '') throw badRequest('Object \'Kind\' is missing in \'\': the request body is empty');
  checkDepth(text);
  try {
    return { value: JSON.parse(text), jsonText: text };
  } catch (err) {
    throw badRequest(`error decoding JSON body: ${(err as Error).message}`);
  }
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

/** Linear scan of bracket depth outside strings; refuses pathological nesting. */
export function checkDepth(text: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > maxNestingDepth) throw badRequest(`the request body is nested more than ${maxNestingDepth} levels deep`);
    } else if (c === 125 || c === 93) depth--;
  }
}
