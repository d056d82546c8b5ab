// One storm writer: a sequential loop of configmap writes on names only it touches, so what the
// writer was told is exactly what the server state must be (up to its last, unanswered request).
// Every request is recorded with its outcome. Some requests are built to be refused (stale
// resourceVersion, create of an existing name, malformed body, namespace mismatch, invalid data
// key): those must get an error and must leave no trace.
import type { ApiClient, Outcome } from './https-client.js';

export type Verb = 'create' | 'update' | 'delete';

/** What the writer believes about one of its names: the last acknowledged state. */
export interface Belief {
  present: boolean;
  /** resourceVersion of the live object when present. */
  rv?: string;
  /** The op whose content the live object holds. */
  op?: string;
}

export interface OpRecord {
  id: string;
  writer: number;
  name: string;
  verb: Verb;
  /** True for requests built to be refused. */
  doomed: boolean;
  /** The data sent (create/update), to compare content byte for byte later. */
  data?: Record<string, string>;
  outcome: Outcome['kind'];
  status?: number;
  /** resourceVersion returned by a 2xx create/update. */
  rv?: string;
  detail?: string;
  /** The belief before this op (what the object was when the request was sent). */
  before: Belief;
}

export interface WriterOptions {
  client: ApiClient;
  namespace: string;
  writer: number;
  names: string[];
  beliefs: Map<string, Belief>;
  /** Unique per storm, so op ids never repeat across rounds. */
  opPrefix: string;
  /** Checked before every request; the writer stops once it is true. */
  stopped: () => boolean;
  /** Called after each request with a complete answer. */
  onAnswer: (op: OpRecord) => void;
  random?: () => number;
}

/** Runs until stopped or until a request goes unanswered; returns every op sent, in order. */
export async function runWriter(o: WriterOptions): Promise<OpRecord[]> {
  const rnd = o.random ?? Math.random;
  const ops: OpRecord[] = [];
  const base = `/api/v1/namespaces/${o.namespace}/configmaps`;
  for (let seq = 0; !o.stopped(); seq++) {
    const name = o.names[Math.floor(rnd() * o.names.length)];
    const before = { ...(o.beliefs.get(name) ?? { present: false }) };
    const id = `${o.opPrefix}-w${o.writer}-${seq}`;
    const data = payload(id, rnd);
    const dice = rnd();
    let verb: Verb;
    let doomed = false;
    let method: string;
    let path = `${base}/${name}`;
    let body: string | undefined;
    const cm = (rv?: string, namespace?: string) =>
      JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(namespace ? { namespace } : {}), ...(rv ? { resourceVersion: rv } : {}) }, data });
    if (!before.present) {
      verb = 'create';
      method = 'POST';
      path = base;
      if (dice < 0.05) {
        doomed = true;
        body = cm().slice(0, -7); // truncated JSON: 400
      } else if (dice < 0.1) {
        doomed = true;
        body = cm(undefined, 'some-other-namespace'); // namespace mismatch: 400
      } else body = cm();
    } else if (dice < 0.65) {
      verb = 'update';
      method = 'PUT';
      body = cm(before.rv);
    } else if (dice < 0.85) {
      verb = 'delete';
      method = 'DELETE';
      body = JSON.stringify({ preconditions: { resourceVersion: before.rv } });
    } else if (dice < 0.92) {
      verb = 'update';
      method = 'PUT';
      doomed = true;
      body = cm(String(Number(before.rv) - 1)); // stale resourceVersion: 409
    } else if (dice < 0.96) {
      verb = 'delete';
      method = 'DELETE';
      doomed = true;
      body = JSON.stringify({ preconditions: { resourceVersion: String(Number(before.rv) - 1) } }); // 409
    } else if (dice < 0.98) {
      verb = 'update';
      method = 'PUT';
      doomed = true;
      // An invalid data key: 422, with the rest of the object perfectly writable.
      body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, resourceVersion: before.rv }, data: { ...data, 'not a key!': 'x' } });
    } else {
      verb = 'create';
      method = 'POST';
      path = base;
      doomed = true;
      body = cm(); // already exists: 409
    }
    const out = await o.client.request(method, path, body);
    const op: OpRecord = { id, writer: o.writer, name, verb, doomed, data: verb === 'delete' ? undefined : data, outcome: out.kind, before };
    if (out.kind === 'noanswer') {
      op.detail = out.reason;
      ops.push(op);
      break;
    }
    op.status = out.status;
    if (out.kind === 'error') op.detail = out.body.slice(0, 300);
    if (out.kind === 'ok' && verb !== 'delete') op.rv = (out.body as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion;
    ops.push(op);
    // Only a 2xx to a request meant to succeed moves the belief; anything else must have changed nothing.
    if (out.kind === 'ok' && !doomed) {
      o.beliefs.set(name, verb === 'delete' ? { present: false } : { present: true, rv: op.rv, op: id });
    }
    o.onAnswer(op);
  }
  return ops;
}

/** The content of one write: its op id plus a payload whose size varies, now and then large. */
function payload(id: string, rnd: () => number): Record<string, string> {
  const r = rnd();
  // Large values span many database pages, so a kill can land in the middle of writing one.
  const size = r < 0.03 ? 100_000 + Math.floor(rnd() * 200_000) : Math.floor(rnd() * 2000);
  const fill = id.replace(/[^a-z0-9]/g, '').padEnd(8, 'x');
  return { op: id, payload: fill.repeat(Math.ceil(size / fill.length)).slice(0, size) };
}
