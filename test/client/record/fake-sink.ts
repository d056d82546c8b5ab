// An in-memory EventSink that behaves like the API server for events (AlreadyExists on a taken
// name, NotFound on patching a missing one) and can be told to fail like a broken network.
import type { CoreEvent, EventSink } from '../../../src/client/record/index.js';

export class CodeError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

export class FakeSink implements EventSink {
  readonly events = new Map<string, CoreEvent>();
  readonly calls: Array<{ verb: 'create' | 'patch'; name: string; body: unknown }> = [];
  /** Errors to throw, one per call, before behaving normally. */
  failures: Error[] = [];
  private rv = 0;

  async create(event: CoreEvent): Promise<CoreEvent> {
    await Promise.resolve();
    const name = event.metadata.name!;
    this.calls.push({ verb: 'create', name, body: event });
    const f = this.failures.shift();
    if (f) throw f;
    const key = `${event.metadata.namespace}/${name}`;
    if (this.events.has(key)) throw new CodeError(409, `events "${name}" already exists`);
    const stored = structuredClone({ ...event, metadata: { ...event.metadata, resourceVersion: String(++this.rv) } });
    this.events.set(key, stored);
    return structuredClone(stored);
  }

  async patch(event: CoreEvent, patch: Record<string, unknown>): Promise<CoreEvent> {
    await Promise.resolve();
    const name = event.metadata.name!;
    this.calls.push({ verb: 'patch', name, body: patch });
    const f = this.failures.shift();
    if (f) throw f;
    const key = `${event.metadata.namespace}/${name}`;
    const cur = this.events.get(key);
    if (!cur) throw new CodeError(404, `events "${name}" not found`);
    const stored = { ...cur, ...structuredClone(patch), metadata: { ...cur.metadata, resourceVersion: String(++this.rv) } } as CoreEvent;
    this.events.set(key, stored);
    return structuredClone(stored);
  }

  list(): CoreEvent[] {
    return [...this.events.values()];
  }
}
