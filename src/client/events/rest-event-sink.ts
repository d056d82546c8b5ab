// EventSink over the REST client: events.k8s.io/v1 Events, created with POST and their series
// bumped with a strategic merge patch (upstream's tools/events EventSinkImpl).
import { resources } from '../rest/builtin-resources.js';
import type { Client } from '../rest/client.js';
import type { EventSink, EventsV1Event } from './types.js';

const nothing = (): undefined => undefined;

export function restEventSink(client: Client): EventSink {
  const events = client.resource(resources.events);
  return {
    // EventsV1Event and the REST client's Event type differ only in ObjectMeta's readonly marks.
    // The created event is decoded only when the broadcaster keeps it (a series' refresh).
    create: (event, returnCreated) => {
      const namespace = event.metadata.namespace;
      // (create() rejects rather than throws, so neither needs to be async here.)
      if (!returnCreated) return events.create(event as never, { namespace, decode: false }).then(nothing);
      return events.create(event as never, { namespace }) as unknown as Promise<EventsV1Event>;
    },
    patch: async (event, patch) =>
      (await events.patch(event.metadata.name!, patch, { type: 'strategic', namespace: event.metadata.namespace })) as unknown as EventsV1Event,
  };
}
