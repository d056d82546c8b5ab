// EventRecorder (client-go tools/record recorderImpl): builds a core/v1 Event about an object and
// hands it to the broadcaster without waiting. The event lives in the object's namespace
// ("default" for cluster-scoped objects) and is named <object name>.<hex UnixNano>.
import type { KubeObject } from '../../api/object.js';
import { droppedEventReporter, type DroppedEventReporter } from './dropped-events.js';
import type { Logger } from '../../util/log.js';
import type { Clock } from '../clock.js';
import { sprintf } from './sprintf.js';
import { formatTime, nextNameSuffix } from './time.js';
import type { CoreEvent, EventType, ObjectReference } from './types.js';

export interface EventSource {
  component: string;
  host: string;
}

export interface EventRecorder {
  /** Records an event about object (an API object with kind and apiVersion, or an ObjectReference). */
  event(object: KubeObject | ObjectReference, type: EventType, reason: string, message: string): void;
  /** event with a Go-style format string: eventf(pod, 'Normal', 'Created', 'Created container %s', name). */
  eventf(object: KubeObject | ObjectReference, type: EventType, reason: string, messageFmt: string, ...args: unknown[]): void;
  /** eventf, with annotations on the Event object. */
  annotatedEventf(
    object: KubeObject | ObjectReference,
    annotations: Record<string, string>,
    type: EventType,
    reason: string,
    messageFmt: string,
    ...args: unknown[]
  ): void;
}

/** The reference an event points at (upstream's ref.GetReference). Throws when kind or name is unknown. */
export function getReference(object: KubeObject | ObjectReference): ObjectReference {
  if (!('metadata' in object) || typeof object.metadata !== 'object' || object.metadata === null) {
    const r = object as ObjectReference;
    if (!r.kind || !r.name) throw new Error('object reference needs kind and name');
    return r;
  }
  const obj = object as KubeObject;
  const meta = obj.metadata!;
  if (!obj.kind || !obj.apiVersion) throw new Error(`object ${meta.name ?? ''} has no kind/apiVersion to refer to it by`);
  if (!meta.name) throw new Error(`${obj.kind} has no name`);
  const ref: ObjectReference = { kind: obj.kind, apiVersion: obj.apiVersion, name: meta.name };
  if (meta.namespace) ref.namespace = meta.namespace;
  if (meta.uid) ref.uid = meta.uid;
  if (meta.resourceVersion) ref.resourceVersion = meta.resourceVersion;
  return ref;
}

export class Recorder implements EventRecorder {

  constructor(
    private readonly source: EventSource,
    private readonly clock: Clock,
    private readonly log: Logger,
    /** Queues the event; false when it was dropped. Must not block. */
    private readonly send: (e: CoreEvent) => boolean,
  ) {
    this.reportDropped = droppedEventReporter(log, clock);
  }

  private readonly reportDropped: DroppedEventReporter;

  event(object: KubeObject | ObjectReference, type: EventType, reason: string, message: string): void {
    this.generate(object, undefined, type, reason, message);
  }

  eventf(object: KubeObject | ObjectReference, type: EventType, reason: string, messageFmt: string, ...args: unknown[]): void {
    this.generate(object, undefined, type, reason, sprintf(messageFmt, ...args));
  }

  annotatedEventf(
    object: KubeObject | ObjectReference,
    annotations: Record<string, string>,
    type: EventType,
    reason: string,
    messageFmt: string,
    ...args: unknown[]
  ): void {
    this.generate(object, annotations, type, reason, sprintf(messageFmt, ...args));
  }

  private generate(object: KubeObject | ObjectReference, annotations: Record<string, string> | undefined, type: string, reason: string, message: string): void {
    let ref: ObjectReference;
    try {
      ref = getReference(object);
    } catch (err) {
      this.log.error({ err, type, reason, message }, 'could not construct reference; will not report event');
      return;
    }
    if (type !== 'Normal' && type !== 'Warning') {
      this.log.error({ type }, 'unsupported event type');
      return;
    }
    const now = this.clock.now();
    const ts = formatTime(now);
    const event: CoreEvent = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${ref.name}.${nextNameSuffix(now)}`, namespace: ref.namespace || 'default' },
      involvedObject: ref,
      reason,
      message,
      firstTimestamp: ts,
      lastTimestamp: ts,
      count: 1,
      type,
      source: { component: this.source.component, host: this.source.host },
      reportingComponent: this.source.component,
      reportingInstance: this.source.host,
    };
    if (annotations) event.metadata.annotations = { ...annotations };
    if (!this.send(event)) this.reportDropped(reason, ref.name);
  }
}
