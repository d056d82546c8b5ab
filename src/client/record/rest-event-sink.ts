// EventSink over the REST client: core/v1 events, created with POST and bumped with a strategic
// merge patch (upstream's EventSinkImpl). The client's ApiError carries the HTTP code, which is
// what the broadcaster's retry decision reads.
import { resources } from '../rest/builtin-resources.js';
import type { Client } from '../rest/client.js';
import type { CoreEvent, EventSink } from './types.js';

export function restEventSink(client: Client): EventSink {
  const events = client.resource(resources.coreEvents);
  return {
    // CoreEvent and the REST client's Event type differ only in ObjectMeta's readonly marks.
    create: async (event) => (await events.create(event as never, { namespace: event.metadata.namespace })) as unknown as CoreEvent,
    patch: async (event, patch) =>
      (await events.patch(event.metadata.name!, patch, { type: 'strategic', namespace: event.metadata.namespace })) as unknown as CoreEvent,
  };
}
