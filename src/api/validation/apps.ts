// apps/v1 validation (pkg/apis/apps/validation): Deployment, ReplicaSet, StatefulSet, DaemonSet,
// ControllerRevision, and ReplicationController from core, which shares the template rules.
import { asObject, asString, child, deepEqual, forbidden, immutable, invalid, nonNegative, notSupported, required, type Errors } from './field.js';
import { regexError } from './names.js';
import { validatePodTemplateSpec } from './pod.js';
import { isEmptySelector, selectorMatches, validateLabelSelector } from './selector.js';

type Obj = Record<string, unknown>;

const templateLabels = (template: unknown) => asObject(asObject(asObject(template).metadata).labels) as Record<string, string>;
const templateSpec = (template: unknown) => asObject(asObject(template).spec);

/** IntOrString that must be a non-negative int or "N%". */
export function validatePositiveIntOrPercent(value: unknown, field: string): Errors {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') {
    return /^[0-9]+%$/.test(value) ? [] : [invalid(field, value, regexError("a valid percent string must be a numeric string followed by an ending '%'", '[0-9]+%', '1%', '93%'))];
  }
  if (typeof value === 'number') return nonNegative(value, field);
  return [invalid(field, value, "must be an integer or percentage (e.g '5%')")];
}

function intOrPercentValue(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^[0-9]+%$/.test(value)) return Number(value.slice(0, -1));
  return 0;
}

function notMoreThan100Percent(value: unknown, field: string): Errors {
  if (typeof value !== 'string' || !/^[0-9]+%$/.test(value)) return [];
  return Number(value.slice(0, -1)) > 100 ? [invalid(field, value, 'must not be greater than 100%')] : [];
}

/** The selector/template agreement every controller-with-template checks. A nil selector selects
 *  nothing (so it never matches); an empty one selects everything (so it is never checked). */
function validateSelectorAndTemplate(spec: Obj, field: string, kindWord: string, requireSelector: boolean): Errors {
  const errs: Errors = [];
  const hasSelector = spec.selector !== undefined && spec.selector !== null;
  if (!hasSelector) {
    if (requireSelector) errs.push(required(child(field, 'selector'), ''));
  } else {
    errs.push(...validateLabelSelector(spec.selector, child(field, 'selector')));
    if (isEmptySelector(spec.selector)) errs.push(invalid(child(field, 'selector'), spec.selector, `empty selector is invalid for ${kindWord}`));
  }
  const everything = hasSelector && isEmptySelector(spec.selector);
  if (!everything && !selectorMatches(spec.selector, templateLabels(spec.template))) {
    errs.push(invalid(child(field, 'template', 'metadata', 'labels'), templateLabels(spec.template), '`selector` does not match template `labels`'));
  }
  return errs;
}

/** ValidatePodTemplateSpecForReplicaSet and friends: controllers' pods always restart. */
function validateControllerTemplate(spec: Obj, field: string, kind: string, activeDeadlineForbidden: boolean): Errors {
  const errs: Errors = [];
  if (spec.template === undefined || spec.template === null) return [required(child(field, 'template'), '')];
  errs.push(...validatePodTemplateSpec(spec.template, child(field, 'template')));
  const ts = templateSpec(spec.template);
  const restart = asString(ts.restartPolicy);
  if (restart !== 'Always') errs.push(notSupported(child(field, 'template', 'spec', 'restartPolicy'), restart, ['Always']));
  if (ts.activeDeadlineSeconds !== undefined && ts.activeDeadlineSeconds !== null) {
    const path = child(field, 'template', 'spec', 'activeDeadlineSeconds');
    const message = `activeDeadlineSeconds in ${kind} is not Supported`;
    errs.push(activeDeadlineForbidden ? forbidden(path, message) : invalid(path, ts.activeDeadlineSeconds, message));
  }
  return errs;
}

export function validateReplicaSetSpec(spec: unknown, field = 'spec', kind = 'ReplicaSet'): Errors {
  const s = asObject(spec);
  const errs: Errors = [];
  errs.push(...nonNegative(s.replicas, child(field, 'replicas')));
  errs.push(...nonNegative(s.minReadySeconds, child(field, 'minReadySeconds')));
  errs.push(...validateSelectorAndTemplate(s, field, 'deployment', true));
  errs.push(...validateControllerTemplate(s, field, kind, false));
  return errs;
}

function validateDeploymentStrategy(strategy: unknown, field: string): Errors {
  const s = asObject(strategy);
  const errs: Errors = [];
  if (s.type === 'Recreate') {
    if (s.rollingUpdate !== undefined && s.rollingUpdate !== null) errs.push(forbidden(child(field, 'rollingUpdate'), "may not be specified when strategy `type` is 'Recreate'"));
  } else if (s.type === 'RollingUpdate') {
    if (s.rollingUpdate === undefined || s.rollingUpdate === null) {
      errs.push(required(child(field, 'rollingUpdate'), 'this should be defaulted and never be nil'));
    } else {
      const ru = asObject(s.rollingUpdate);
      const path = child(field, 'rollingUpdate');
      errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, child(path, 'maxUnavailable')));
      errs.push(...validatePositiveIntOrPercent(ru.maxSurge, child(path, 'maxSurge')));
      if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
        errs.push(invalid(child(path, 'maxUnavailable'), ru.maxUnavailable ?? 0, 'may not be 0 when `maxSurge` is 0'));
      }
      errs.push(...notMoreThan100Percent(ru.maxUnavailable, child(path, 'maxUnavailable')));
    }
  } else {
    errs.push(notSupported(field, strategy, ['Recreate', 'RollingUpdate']));
  }
  return errs;
}

export function validateDeploymentSpec(spec: unknown, field = 'spec'): Errors {
  const s = asObject(spec);
  const errs: Errors = [];
  errs.push(...nonNegative(s.replicas, child(field, 'replicas')));
  errs.push(...validateSelectorAndTemplate(s, field, 'deployment', true));
  errs.push(...validateControllerTemplate(s, field, 'ReplicaSet', false));
  errs.push(...validateDeploymentStrategy(s.strategy, child(field, 'strategy')));
  errs.push(...nonNegative(s.minReadySeconds, child(field, 'minReadySeconds')));
  errs.push(...nonNegative(s.revisionHistoryLimit, child(field, 'revisionHistoryLimit')));
  if (typeof s.progressDeadlineSeconds === 'number') {
    errs.push(...nonNegative(s.progressDeadlineSeconds, child(field, 'progressDeadlineSeconds')));
    const minReady = typeof s.minReadySeconds === 'number' ? s.minReadySeconds : 0;
    if (s.progressDeadlineSeconds <= minReady) errs.push(invalid(child(field, 'progressDeadlineSeconds'), s.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
  }
  return errs;
}

export function validateStatefulSetSpec(spec: unknown, field = 'spec'): Errors {
  const s = asObject(spec);
  const errs: Errors = [];
  const pmp = asString(s.podManagementPolicy);
  if (!pmp) errs.push(required(child(field, 'podManagementPolicy'), ''));
  else if (pmp !== 'OrderedReady' && pmp !== 'Parallel') errs.push(invalid(child(field, 'podManagementPolicy'), pmp, "must be 'OrderedReady' or 'Parallel'"));
  const us = asObject(s.updateStrategy);
  const usType = asString(us.type);
  if (!usType) {
    errs.push(required(child(field, 'updateStrategy'), ''));
  } else if (usType === 'OnDelete') {
    if (us.rollingUpdate !== undefined && us.rollingUpdate !== null) {
      errs.push(invalid(child(field, 'updateStrategy', 'rollingUpdate'), us.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'"));
    }
  } else if (usType === 'RollingUpdate') {
    const ru = asObject(us.rollingUpdate);
    errs.push(...nonNegative(ru.partition, child(field, 'updateStrategy', 'rollingUpdate', 'partition')));
    if (ru.maxUnavailable !== undefined) errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, child(field, 'updateStrategy', 'rollingUpdate', 'maxUnavailable')));
  } else {
    errs.push(invalid(child(field, 'updateStrategy'), s.updateStrategy, "must be 'RollingUpdate' or 'OnDelete'"));
  }
  const retention = asObject(s.persistentVolumeClaimRetentionPolicy);
  for (const k of ['whenDeleted', 'whenScaled']) {
    const v = retention[k];
    if (v !== undefined && v !== 'Retain' && v !== 'Delete') errs.push(notSupported(child(field, 'persistentVolumeClaimRetentionPolicy', k), v, ['Retain', 'Delete']));
  }
  errs.push(...nonNegative(s.revisionHistoryLimit, child(field, 'revisionHistoryLimit')));
  errs.push(...nonNegative(s.replicas, child(field, 'replicas')));
  errs.push(...nonNegative(asObject(s.ordinals).start, child(field, 'ordinals', 'start')));
  errs.push(...validateSelectorAndTemplate(s, field, 'statefulset', true));
  if (s.template === undefined || s.template === null) errs.push(required(child(field, 'template'), ''));
  else {
    errs.push(...validatePodTemplateSpec(s.template, child(field, 'template')));
    const ts = templateSpec(s.template);
    if (ts.restartPolicy !== 'Always') errs.push(notSupported(child(field, 'template', 'spec', 'restartPolicy'), asString(ts.restartPolicy), ['Always']));
    if (ts.activeDeadlineSeconds !== undefined && ts.activeDeadlineSeconds !== null) {
      errs.push(forbidden(child(field, 'template', 'spec', 'activeDeadlineSeconds'), 'activeDeadlineSeconds in StatefulSet is not Supported'));
    }
  }
  return errs;
}

function validateDaemonSetUpdateStrategy(strategy: unknown, field: string): Errors {
  const s = asObject(strategy);
  if (s.type === 'OnDelete') return [];
  if (s.type !== 'RollingUpdate') return [notSupported(field, strategy, ['RollingUpdate', 'OnDelete'])];
  if (s.rollingUpdate === undefined || s.rollingUpdate === null) return [required(child(field, 'rollingUpdate'), '')];
  const ru = asObject(s.rollingUpdate);
  const path = child(field, 'rollingUpdate');
  const errs: Errors = [];
  errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, child(path, 'maxUnavailable')));
  errs.push(...validatePositiveIntOrPercent(ru.maxSurge, child(path, 'maxSurge')));
  errs.push(...notMoreThan100Percent(ru.maxUnavailable, child(path, 'maxUnavailable')));
  errs.push(...notMoreThan100Percent(ru.maxSurge, child(path, 'maxSurge')));
  const hasUnavailable = intOrPercentValue(ru.maxUnavailable) !== 0;
  const hasSurge = intOrPercentValue(ru.maxSurge) !== 0;
  if (hasUnavailable && hasSurge) errs.push(invalid(child(path, 'maxSurge'), ru.maxSurge, 'may not be set when maxUnavailable is non-zero'));
  else if (!hasUnavailable && !hasSurge) errs.push(required(child(path, 'maxUnavailable'), 'cannot be 0 when maxSurge is 0'));
  return errs;
}

export function validateDaemonSetSpec(spec: unknown, field = 'spec'): Errors {
  const s = asObject(spec);
  const errs: Errors = [];
  errs.push(...validateLabelSelector(s.selector, child(field, 'selector')));
  if (!selectorMatches(s.selector, templateLabels(s.template))) {
    errs.push(invalid(child(field, 'template', 'metadata', 'labels'), templateLabels(s.template), '`selector` does not match template `labels`'));
  }
  if (s.selector !== undefined && s.selector !== null && isEmptySelector(s.selector)) {
    errs.push(invalid(child(field, 'selector'), s.selector, 'empty selector is invalid for daemonset'));
  }
  errs.push(...validatePodTemplateSpec(s.template, child(field, 'template')));
  const ts = templateSpec(s.template);
  if (ts.restartPolicy !== 'Always') errs.push(notSupported(child(field, 'template', 'spec', 'restartPolicy'), asString(ts.restartPolicy), ['Always']));
  if (ts.activeDeadlineSeconds !== undefined && ts.activeDeadlineSeconds !== null) {
    errs.push(invalid(child(field, 'template', 'spec', 'activeDeadlineSeconds'), ts.activeDeadlineSeconds, 'activeDeadlineSeconds in DaemonSet is not Supported'));
  }
  errs.push(...nonNegative(s.minReadySeconds, child(field, 'minReadySeconds')));
  errs.push(...validateDaemonSetUpdateStrategy(s.updateStrategy, child(field, 'updateStrategy')));
  errs.push(...nonNegative(s.revisionHistoryLimit, child(field, 'revisionHistoryLimit')));
  return errs;
}

/** Selectors of apps/v1 controllers never change after creation. */
export function validateSelectorImmutable(obj: Obj, old: Obj): Errors {
  return immutable(asObject(obj.spec).selector, asObject(old.spec).selector, 'spec.selector');
}

export function validateStatefulSetSpecUpdate(obj: Obj, old: Obj): Errors {
  const s = { ...asObject(obj.spec) };
  const o = asObject(old.spec);
  for (const k of ['replicas', 'template', 'updateStrategy', 'minReadySeconds', 'ordinals', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy']) s[k] = o[k];
  if (deepEqual(s, o)) return [];
  return [forbidden('spec', "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden")];
}

/** core/v1 ReplicationController: a map selector that must match the template. */
export function validateReplicationControllerSpec(spec: unknown, field = 'spec'): Errors {
  const s = asObject(spec);
  const errs: Errors = [];
  errs.push(...nonNegative(s.replicas, child(field, 'replicas')));
  errs.push(...nonNegative(s.minReadySeconds, child(field, 'minReadySeconds')));
  const selector = asObject(s.selector) as Record<string, string>;
  if (Object.keys(selector).length === 0) errs.push(required(child(field, 'selector'), ''));
  if (s.template === undefined || s.template === null) {
    errs.push(required(child(field, 'template'), ''));
    return errs;
  }
  const labels = templateLabels(s.template);
  if (Object.keys(selector).length && !Object.entries(selector).every(([k, v]) => labels[k] === v)) {
    errs.push(invalid(child(field, 'template', 'metadata', 'labels'), labels, '`selector` does not match template `labels`'));
  }
  errs.push(...validatePodTemplateSpec(s.template, child(field, 'template')));
  const ts = templateSpec(s.template);
  if (ts.restartPolicy !== 'Always') errs.push(notSupported(child(field, 'template', 'spec', 'restartPolicy'), asString(ts.restartPolicy), ['Always']));
  if (ts.activeDeadlineSeconds !== undefined && ts.activeDeadlineSeconds !== null) {
    errs.push(invalid(child(field, 'template', 'spec', 'activeDeadlineSeconds'), ts.activeDeadlineSeconds, 'activeDeadlineSeconds in ReplicationController is not Supported'));
  }
  return errs;
}

export function validateControllerRevision(obj: Obj): Errors {
  const errs: Errors = [];
  if (obj.data === undefined || obj.data === null) errs.push(required('data', 'data is mandatory'));
  errs.push(...nonNegative(obj.revision, 'revision'));
  return errs;
}

export function validateControllerRevisionUpdate(obj: Obj, old: Obj): Errors {
  return immutable(obj.data, old.data, 'data');
}
