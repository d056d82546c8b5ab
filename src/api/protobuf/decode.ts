// Decodes `application/vnd.kubernetes.protobuf` request bodies into the JSON object a JSON client
// would have sent. Wire format (apimachinery runtime/serializer/protobuf): the 4 magic bytes
// "k8s\0", then a runtime.Unknown {1: TypeMeta{1: apiVersion, 2: kind}, 2: raw (the object's
// own message), 3: contentEncoding, 4: contentType}.
import type { KubeObject } from '../object.js';
import { badRequest, isStatusError, StatusError } from '../status.js';
import { kindStruct, knownVersion, messageName, protoRoot } from './schema.js';
import { structToJson } from './to-json.js';

export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';

const MAGIC = [0x6b, 0x38, 0x73, 0x00];

/** Whether a Content-Type header names the Kubernetes protobuf encoding (parameters ignored). */
export function isProtobufContentType(ct: string): boolean {
  return ct.split(';')[0].trim().toLowerCase() === PROTOBUF_CONTENT_TYPE;
}

type Msg = Record<string, unknown>;

/**
 * The object in a protobuf request body, as the JSON API would receive it: apiVersion and kind
 * from the envelope, every other field named and shaped as upstream's JSON. Throws a 400
 * StatusError for anything that is not a well-formed body of a registered kind.
 */
export function decodeProtobufObject(body: Uint8Array): KubeObject {
  if (body.length < MAGIC.length || MAGIC.some((b, i) => body[i] !== b)) {
    // Upstream's message, with the prefix printed as Go prints a []byte.
    throw badRequest(`provided data does not appear to be a protobuf message, expected prefix [${MAGIC.join(' ')}]`);
  }
  try {
    const root = protoRoot();
    const unknown = root.lookupType(messageName('runtime.Unknown')).decode(body.subarray(MAGIC.length)) as unknown as Msg;
    const typeMeta = (unknown.f1 ?? {}) as Msg;
    const apiVersion = typeof typeMeta.f1 === 'string' ? typeMeta.f1 : '';
    const kind = typeof typeMeta.f2 === 'string' ? typeMeta.f2 : '';
    if (!kind) throw badRequest('Object \'Kind\' is missing in protobuf envelope');
    if (typeof unknown.f3 === 'string' && unknown.f3 !== '') {
      throw badRequest(`unsupported content encoding ${JSON.stringify(unknown.f3)} in protobuf envelope`);
    }
    const id = kindStruct(apiVersion, kind);
    if (!id) {
      throw badRequest(
        knownVersion(apiVersion) || apiVersion
          ? `no kind ${JSON.stringify(kind)} is registered for version ${JSON.stringify(apiVersion)}`
          : `Object 'apiVersion' is missing in protobuf envelope`,
      );
    }
    const raw = unknown.f2 instanceof Uint8Array ? unknown.f2 : new Uint8Array(0);
    const msg = root.lookupType(messageName(id)).decode(raw) as unknown as Msg;
    const fields = structToJson(id, msg);
    return { apiVersion, kind, ...fields };
  } catch (err) {
    if (isStatusError(err)) throw err;
    throw malformed(err);
  }
}

function malformed(err: unknown): StatusError {
  const detail = err instanceof Error ? err.message : String(err);
  return badRequest(`unable to decode protobuf body: ${detail}`);
}
