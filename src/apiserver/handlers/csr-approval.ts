// certificatesigningrequests/approval (upstream csrApprovalStrategy): an update that changes only
// status.conditions — approving or denying a request — and keeps spec and any issued certificate.
// `kubectl certificate approve|deny` and the csrapproving controller write here.
import type { KubeObject } from '../../api/object.js';
import { invalid, methodNotAllowed } from '../../api/status.js';
import { writeJSON } from '../http/respond.js';
import type { ApiServer } from '../server.js';
import { readObject, type ResourceRequest } from './resource.js';
import { writeContext } from './request-context.js';

interface Condition {
  type?: string;
  status?: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
}

const conditionsOf = (o: KubeObject | undefined): Condition[] => (o?.status as { conditions?: Condition[] } | undefined)?.conditions ?? [];

export async function handleCsrApproval(_api: ApiServer, r: ResourceRequest): Promise<void> {
  if (r.info.verb === 'get') {
    writeJSON(r.res, 200, await r.store.get(r.entry, '', r.info.name));
    return;
  }
  if (r.info.verb !== 'update') throw methodNotAllowed(r.info.verb, r.entry.gr);
  const { obj } = await readObject(r);
  const wanted = conditionsOf(obj);
  const isTrue = (type: string) => wanted.some((c) => c.type === type && (c.status ?? 'True') === 'True');
  if (isTrue('Approved') && isTrue('Denied')) {
    throw invalid('CertificateSigningRequest', 'certificates.k8s.io', r.info.name, [{ type: 'FieldValueInvalid', field: 'status.conditions', value: 'Approved', detail: 'Approved and Denied conditions are mutually exclusive' }]);
  }
  const ctx = writeContext(r.query, r.user, r.req.headers['user-agent']);
  const now = ctx.now.toISOString().replace(/\.\d+Z$/, 'Z');
  const updated = await r.store.update(r.entry, '', r.info.name, 'approval', ctx, (current) => {
    const old = conditionsOf(current);
    const next = structuredClone(current);
    // As upstream's populateConditionTimestamps: new or changed conditions are stamped now.
    const conditions = wanted.map((c) => {
      const status = c.status ?? 'True';
      const prev = old.find((o) => o.type === c.type);
      const transition = prev && (prev.status ?? 'True') === status ? prev.lastTransitionTime : undefined;
      return { ...c, status, lastUpdateTime: c.lastUpdateTime ?? now, lastTransitionTime: c.lastTransitionTime ?? transition ?? now };
    });
    next.status = { ...(current.status as object), conditions };
    if (obj.metadata?.resourceVersion) next.metadata = { ...next.metadata, resourceVersion: obj.metadata.resourceVersion };
    return next;
  });
  writeJSON(r.res, 200, updated);
}
