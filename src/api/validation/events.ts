// events.k8s.io/v1 Event validation (upstream pkg/apis/core/validation/events.go): every Event
// passes the legacy rules (checked on the core/v1 form, so messages name the internal fields:
// involvedObject, message, reportingController), and one written through events.k8s.io/v1 must
// also have an eventTime, a Normal/Warning type, none of the deprecated core fields and a valid
// series; on update most fields are immutable.
import { validateEvent } from './core.js';
import { asObject, deepEqual, immutable as immutableField, invalid, required, type Errors } from './field.js';

type Obj = Record<string, unknown>;

function validateSeries(ev: Obj): Errors {
  const series = ev.series;
  if (series === undefined || series === null) return [];
  const s = asObject(series);
  const errs: Errors = [];
  if (typeof s.count !== 'number' || s.count < 2) errs.push(invalid('series.count', '', 'should be at least 2'));
  if (!s.lastObservedTime) errs.push(required('series.lastObservedTime', ''));
  return errs;
}

/**
 * What the legacy rules (validateEvent) read of an Event, under its core/v1 names: the
 * conversion of the whole Event (eventsV1ToCoreEvent) reduced to those fields.
 */
function legacyView(ev: Obj): Obj {
  return {
    metadata: ev.metadata,
    involvedObject: ev.regarding,
    eventTime: ev.eventTime,
    reportingComponent: ev.reportingController,
    reportingInstance: ev.reportingInstance,
    action: ev.action,
    reason: ev.reason,
    message: ev.note,
  };
}

export function validateEventsV1Create(ev: Obj): Errors {
  const errs = validateEvent(legacyView(ev));
  errs.push(...validateSeries(ev));
  if (!ev.eventTime) errs.push(required('eventTime', ''));
  if (ev.type !== 'Normal' && ev.type !== 'Warning') errs.push(invalid('type', '', `has invalid value: ${String(ev.type ?? '')}`));
  if (ev.deprecatedFirstTimestamp) errs.push(invalid('firstTimestamp', '', 'needs to be unset'));
  if (ev.deprecatedLastTimestamp) errs.push(invalid('lastTimestamp', '', 'needs to be unset'));
  if (ev.deprecatedCount) errs.push(invalid('count', '', 'needs to be unset'));
  const source = asObject(ev.deprecatedSource);
  if (source.component || source.host) errs.push(invalid('source', '', 'needs to be unset'));
  return errs;
}

/** The v1 field, and the internal name upstream's immutability errors use for it. */
const immutable: [v1: string, internal: string][] = [
  ['regarding', 'involvedObject'],
  ['reason', 'reason'],
  ['note', 'message'],
  ['deprecatedSource', 'source'],
  ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'],
  ['deprecatedCount', 'count'],
  ['type', 'type'],
  ['eventTime', 'eventTime'],
  ['action', 'action'],
  ['related', 'related'],
  ['reportingController', 'reportingController'],
  ['reportingInstance', 'reportingInstance'],
];

export function validateEventsV1Update(ev: Obj, old: Obj): Errors {
  const errs = validateEvent(legacyView(ev));
  if (!deepEqual(ev.series, old.series)) errs.push(...validateSeries(ev));
  for (const [v1, internal] of immutable) {
    errs.push(...immutableField(ev[v1], old[v1], internal));
  }
  return errs;
}
