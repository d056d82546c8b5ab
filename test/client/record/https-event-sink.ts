// A minimal EventSink over HTTPS for tests against the real API server (through the test
// cluster's admin request helper), independent of src/client/rest.
import type { CoreEvent, EventSink } from '../../../src/client/record/index.js';
import type { TestCluster } from '../../helpers/cluster.js';
import { CodeError } from './fake-sink.js';

export function httpsEventSink(cluster: TestCluster): EventSink {
  const call = async (method: string, path: string, body: unknown, contentType = 'application/json'): Promise<CoreEvent> => {
    const res = await cluster.request(method, path, { body: JSON.stringify(body), headers: { 'Content-Type': contentType } });
    if (res.status >= 300) throw new CodeError(res.status, `${method} ${path}: ${res.status} ${res.body}`);
    return res.json<CoreEvent>();
  };
  return {
    create: (e) => call('POST', `/api/v1/namespaces/${e.metadata.namespace}/events`, e),
    patch: (e, p) => call('PATCH', `/api/v1/namespaces/${e.metadata.namespace}/events/${e.metadata.name}`, p, 'application/strategic-merge-patch+json'),
  };
}
