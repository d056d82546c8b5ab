// Content negotiation for responses: plain objects, Tables (kubectl get) and
// PartialObjectMetadata (metadata-only informers), as upstream's endpoints/handlers/negotiation.
import { notAcceptable } from '../../api/status.js';

export type ResponseForm = 'object' | 'table' | 'partial';

export interface Negotiated {
  form: ResponseForm;
  /** meta.k8s.io version the client asked for (v1 or v1beta1). */
  metaVersion: string;
}

// Clients send the same few Accept headers on every request: remember what each one negotiated
// (bounded; a refused header is not remembered, it throws every time).
const remembered = [new Map<string, Negotiated>(), new Map<string, Negotiated>()];
const maxRemembered = 256;
const plainObject: Negotiated = Object.freeze({ form: 'object', metaVersion: 'v1' });

/** Picks the first acceptable media type, honouring `as=Table` / `as=PartialObjectMetadata(List)`. */
export function negotiate(accept: string | undefined, isList: boolean): Negotiated {
  if (!accept) return plainObject;
  const cache = remembered[isList ? 1 : 0];
  let n = cache.get(accept);
  if (!n) {
    n = Object.freeze(negotiateUncached(accept, isList));
    if (cache.size >= maxRemembered) cache.clear();
    cache.set(accept, n);
  }
  return n;
}

function negotiateUncached(accept: string, isList: boolean): Negotiated {
  let sawUnsupported = false;
  for (const clause of accept.split(',')) {
    const [type, ...paramParts] = clause.trim().split(';').map((p) => p.trim());
    const params = new Map(paramParts.map((p) => p.split('=').map((s) => s.trim()) as [string, string]));
    const as = params.get('as');
    const mt = type.toLowerCase();
    const jsonLike = mt === 'application/json' || mt === '*/*' || mt === 'application/*' || mt === 'application/yaml' || mt === 'application/vnd.kubernetes.protobuf';
    if (!jsonLike) {
      sawUnsupported = true;
      continue;
    }
    if (!as) return { form: 'object', metaVersion: 'v1' };
    const g = params.get('g');
    const v = params.get('v') ?? 'v1';
    if (g !== 'meta.k8s.io' || (v !== 'v1' && v !== 'v1beta1')) continue;
    if (as === 'Table') return { form: 'table', metaVersion: v };
    if (as === 'PartialObjectMetadata' && !isList) return { form: 'partial', metaVersion: v };
    if (as === 'PartialObjectMetadataList' && isList) return { form: 'partial', metaVersion: v };
  }
  if (sawUnsupported || accept) {
    throw notAcceptable(`only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf, application/json;as=Table;v=v1;g=meta.k8s.io`);
  }
  return { form: 'object', metaVersion: 'v1' };
}
