// EventRecorder of client-go tools/events (event_recorder.go): builds an events.k8s.io/v1 Event
// about `regarding` (and optionally `related`) and hands it to the broadcaster without waiting.
// The event lives in the regarding object's namespace ("default" for cluster-scoped objects) and
// is named <object name>.<hex UnixNano>, as core/v1 events are.
import type { KubeObject } from '../../api/object.js';
import { droppedEventReporter, type DroppedEventReporter } from '../record/dropped-events.js';
import type { Logger } from '../../util/log.js';
import type { Clock } from '../clock.js';
import { getReference } from '../record/recorder.js';
import { sprintf } from '../record/sprintf.js';
import { formatMicroTime, nextNameSuffix } from '../record/time.js';
import type { EventType, ObjectReference } from '../record/types.js';
import type { EventsV1Event } from './types.js';

export interface EventRecorder {
  /**
   * Records that `reportingController` took `action` about regarding (and related, the secondary
   * object, e.g. the pod a ReplicaSet created), because of `reason`; `note` is a Go-style format
   * string: eventf(rs, pod, 'Normal', 'SuccessfulCreate', 'Create', 'Created pod: %v', pod.metadata.name).
   */
  eventf(
    regarding: KubeObject | ObjectReference,
    related: KubeObject | ObjectReference | undefined,
    type: EventType,
    reason: string,
    action: string,
    note: string,
    ...args: unknown[]
  ): void;
}

export interface Reporter {
  /** A qualified name, e.g. "k8ts.io/scheduler" or "default-scheduler". */
  reportingController: string;
  /** The process reporting: upstream uses `<controller>-<hostname>`. */
  reportingInstance: string;
}

export class Recorder implements EventRecorder {
  constructor(
    private readonly reporter: Reporter,
    private readonly clock: Clock,
    private readonly log: Logger,
    /** Queues the event; false when it was dropped. Must not block. */
    private readonly send: (e: EventsV1Event) => boolean,
  ) {
    this.reportDropped = droppedEventReporter(log, clock);
  }

  private readonly reportDropped: DroppedEventReporter;

  eventf(
    regarding: KubeObject | ObjectReference,
    related: KubeObject | ObjectReference | undefined,
    type: EventType,
    reason: string,
    action: string,
    note: string,
    ...args: unknown[]
  ): void {
    const message = sprintf(note, ...args);
    let ref: ObjectReference;
    try {
      ref = getReference(regarding);
    } catch (err) {
      this.log.error({ err, type, reason, note: message }, 'could not construct reference; will not report event');
      return;
    }
    let relatedRef: ObjectReference | undefined;
    if (related) {
      try {
        relatedRef = getReference(related);
      } catch (err) {
        this.log.debug({ err }, 'could not construct reference to the related object');
      }
    }
    if (type !== 'Normal' && type !== 'Warning') {
      this.log.error({ type }, 'unsupported event type');
      return;
    }
    const now = this.clock.now();
    const event: EventsV1Event = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: `${ref.name}.${nextNameSuffix(now)}`, namespace: ref.namespace || 'default' },
      eventTime: formatMicroTime(now),
      reportingController: this.reporter.reportingController,
      reportingInstance: this.reporter.reportingInstance,
      action,
      reason,
      regarding: ref,
      note: message,
      type,
    };
    if (relatedRef) event.related = relatedRef;
    if (!this.send(event)) this.reportDropped(reason, ref.name);
  }
}
