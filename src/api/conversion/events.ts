// events.k8s.io/v1 Event ⇄ core/v1 Event. Upstream stores both versions as one resource (the
// internal core Event) and converts at the API boundary; field names follow
// pkg/apis/events/v1/conversion.go: regarding ⇄ involvedObject, note ⇄ message,
// deprecatedSource ⇄ source, deprecatedFirstTimestamp/LastTimestamp/Count ⇄ first/last/count,
// reportingController ⇄ reportingComponent.
import type { KubeObject } from '../object.js';

type Obj = Record<string, unknown>;

const renames: [core: string, events: string][] = [
  ['involvedObject', 'regarding'],
  ['related', 'related'],
  ['message', 'note'],
  ['source', 'deprecatedSource'],
  ['firstTimestamp', 'deprecatedFirstTimestamp'],
  ['lastTimestamp', 'deprecatedLastTimestamp'],
  ['count', 'deprecatedCount'],
  ['reportingComponent', 'reportingController'],
  ['reportingInstance', 'reportingInstance'],
  ['eventTime', 'eventTime'],
  ['series', 'series'],
  ['action', 'action'],
  ['reason', 'reason'],
  ['type', 'type'],
];

function rename(obj: KubeObject, apiVersion: string, pairs: [from: string, to: string][]): KubeObject {
  const src = obj as Obj;
  const out: Obj = { apiVersion, kind: 'Event', metadata: obj.metadata };
  for (const [from, to] of pairs) if (src[from] !== undefined) out[to] = src[from];
  return out as KubeObject;
}

/** core/v1 Event → events.k8s.io/v1 Event. */
export function coreEventToEventsV1(obj: KubeObject): KubeObject {
  return rename(obj, 'events.k8s.io/v1', renames);
}

/** The renames the other way, built once rather than for every stored Event. */
const toCore: [from: string, to: string][] = renames.map(([core, events]) => [events, core]);

/** events.k8s.io/v1 Event → core/v1 Event. */
export function eventsV1ToCoreEvent(obj: KubeObject): KubeObject {
  return rename(obj, 'v1', toCore);
}
