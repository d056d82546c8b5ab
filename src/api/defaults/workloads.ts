// apps/v1 and batch/v1 defaults (pkg/apis/apps/v1/defaults.go, pkg/apis/batch/v1/defaults.go),
// plus core/v1 ReplicationController. Templates get the PodSpec defaults.
import { defaultPersistentVolumeClaimSpec, defaultPodTemplate } from './pod.js';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const unset = (v: unknown) => v === undefined || v === null || v === '';
const specOf = (o: Obj): Obj => {
  if (!isObj(o.spec)) o.spec = {};
  return o.spec as Obj;
};

export function defaultDeployment(d: Obj): void {
  const spec = specOf(d);
  if (unset(spec.replicas)) spec.replicas = 1;
  if (!isObj(spec.strategy)) spec.strategy = {};
  const strategy = spec.strategy as Obj;
  if (unset(strategy.type)) strategy.type = 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    if (!isObj(strategy.rollingUpdate)) strategy.rollingUpdate = {};
    const ru = strategy.rollingUpdate as Obj;
    if (unset(ru.maxUnavailable)) ru.maxUnavailable = '25%';
    if (unset(ru.maxSurge)) ru.maxSurge = '25%';
  }
  if (unset(spec.revisionHistoryLimit)) spec.revisionHistoryLimit = 10;
  if (unset(spec.progressDeadlineSeconds)) spec.progressDeadlineSeconds = 600;
  defaultPodTemplate(spec.template);
}

export function defaultReplicaSet(rs: Obj): void {
  const spec = specOf(rs);
  if (unset(spec.replicas)) spec.replicas = 1;
  defaultPodTemplate(spec.template);
}

export function defaultStatefulSet(ss: Obj): void {
  const spec = specOf(ss);
  if (unset(spec.podManagementPolicy)) spec.podManagementPolicy = 'OrderedReady';
  if (!isObj(spec.updateStrategy)) spec.updateStrategy = {};
  const us = spec.updateStrategy as Obj;
  if (unset(us.type)) {
    us.type = 'RollingUpdate';
    if (!isObj(us.rollingUpdate)) us.rollingUpdate = {};
  }
  if (us.type === 'RollingUpdate' && isObj(us.rollingUpdate) && unset(us.rollingUpdate.partition)) us.rollingUpdate.partition = 0;
  if (!isObj(spec.persistentVolumeClaimRetentionPolicy)) spec.persistentVolumeClaimRetentionPolicy = {};
  const retention = spec.persistentVolumeClaimRetentionPolicy as Obj;
  if (unset(retention.whenDeleted)) retention.whenDeleted = 'Retain';
  if (unset(retention.whenScaled)) retention.whenScaled = 'Retain';
  if (unset(spec.replicas)) spec.replicas = 1;
  if (unset(spec.revisionHistoryLimit)) spec.revisionHistoryLimit = 10;
  defaultPodTemplate(spec.template);
  if (Array.isArray(spec.volumeClaimTemplates)) {
    for (const t of spec.volumeClaimTemplates) {
      if (!isObj(t)) continue;
      if (!isObj(t.spec)) t.spec = {};
      defaultPersistentVolumeClaimSpec(t.spec as Obj);
      if (!isObj(t.status)) t.status = {};
      if (unset((t.status as Obj).phase)) (t.status as Obj).phase = 'Pending';
    }
  }
}

export function defaultDaemonSet(ds: Obj): void {
  const spec = specOf(ds);
  if (!isObj(spec.updateStrategy)) spec.updateStrategy = {};
  const us = spec.updateStrategy as Obj;
  if (unset(us.type)) us.type = 'RollingUpdate';
  if (us.type === 'RollingUpdate') {
    if (!isObj(us.rollingUpdate)) us.rollingUpdate = {};
    const ru = us.rollingUpdate as Obj;
    if (unset(ru.maxUnavailable)) ru.maxUnavailable = 1;
    if (unset(ru.maxSurge)) ru.maxSurge = 0;
  }
  if (unset(spec.revisionHistoryLimit)) spec.revisionHistoryLimit = 10;
  defaultPodTemplate(spec.template);
}

/** SetDefaults_Job; the Job's labels are copied from its template when it has none. */
export function defaultJob(job: Obj): void {
  const spec = specOf(job);
  defaultJobSpec(spec);
  const template = isObj(spec.template) ? spec.template : undefined;
  const templateLabels = template && isObj(template.metadata) ? template.metadata.labels : undefined;
  if (isObj(templateLabels)) {
    if (!isObj(job.metadata)) job.metadata = {};
    const meta = job.metadata as Obj;
    if (!isObj(meta.labels) || Object.keys(meta.labels).length === 0) meta.labels = { ...templateLabels };
  }
}

function defaultJobSpec(spec: Obj): void {
  if (unset(spec.completions) && unset(spec.parallelism)) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  if (unset(spec.parallelism)) spec.parallelism = 1;
  if (unset(spec.backoffLimit)) spec.backoffLimit = unset(spec.backoffLimitPerIndex) ? 6 : 2147483647;
  if (unset(spec.completionMode)) spec.completionMode = 'NonIndexed';
  if (unset(spec.suspend)) spec.suspend = false;
  if (isObj(spec.podFailurePolicy) && Array.isArray(spec.podFailurePolicy.rules)) {
    for (const rule of spec.podFailurePolicy.rules) {
      if (!isObj(rule) || !Array.isArray(rule.onPodConditions)) continue;
      for (const c of rule.onPodConditions) if (isObj(c) && unset(c.status)) c.status = 'True';
    }
  }
  if (unset(spec.podReplacementPolicy)) spec.podReplacementPolicy = isObj(spec.podFailurePolicy) ? 'Failed' : 'TerminatingOrFailed';
  defaultPodTemplate(spec.template);
}

export function defaultCronJob(cj: Obj): void {
  const spec = specOf(cj);
  if (unset(spec.concurrencyPolicy)) spec.concurrencyPolicy = 'Allow';
  if (unset(spec.suspend)) spec.suspend = false;
  if (unset(spec.successfulJobsHistoryLimit)) spec.successfulJobsHistoryLimit = 3;
  if (unset(spec.failedJobsHistoryLimit)) spec.failedJobsHistoryLimit = 1;
  if (!isObj(spec.jobTemplate)) spec.jobTemplate = {};
  const jt = spec.jobTemplate as Obj;
  if (!isObj(jt.spec)) jt.spec = {};
  defaultJobSpec(jt.spec as Obj);
}

/** The Job strategy's PrepareForCreate selector: unless manualSelector, select the Job's own pods
 *  by its uid and name, and label the template to match. Call after metadata.uid is assigned. */
export function generateJobSelector(job: Obj): void {
  const spec = specOf(job);
  if (spec.manualSelector === true) return;
  const meta = isObj(job.metadata) ? job.metadata : {};
  const uid = typeof meta.uid === 'string' ? meta.uid : '';
  const name = typeof meta.name === 'string' ? meta.name : '';
  if (!isObj(spec.template)) spec.template = {};
  const template = spec.template as Obj;
  if (!isObj(template.metadata)) template.metadata = {};
  const tmeta = template.metadata as Obj;
  if (!isObj(tmeta.labels)) tmeta.labels = {};
  const labels = tmeta.labels as Record<string, string>;
  labels['batch.kubernetes.io/controller-uid'] ??= uid;
  labels['batch.kubernetes.io/job-name'] ??= name;
  labels['controller-uid'] ??= uid;
  labels['job-name'] ??= name;
  if (!isObj(spec.selector)) spec.selector = {};
  const selector = spec.selector as Obj;
  if (!isObj(selector.matchLabels)) selector.matchLabels = {};
  (selector.matchLabels as Record<string, string>)['batch.kubernetes.io/controller-uid'] ??= uid;
  // Upstream re-applies defaults whenever it decodes from storage, so a Job that had no labels
  // shows its template's (now generated) labels from the first response on.
  if (!isObj(job.metadata)) job.metadata = {};
  const jmeta = job.metadata as Obj;
  if (!isObj(jmeta.labels) || Object.keys(jmeta.labels).length === 0) jmeta.labels = { ...labels };
}

/** core/v1 ReplicationController: selector and labels from the template. */
export function defaultReplicationController(rc: Obj): void {
  const spec = specOf(rc);
  const template = isObj(spec.template) ? spec.template : undefined;
  const labels = template && isObj(template.metadata) && isObj(template.metadata.labels) ? (template.metadata.labels as Obj) : undefined;
  if (labels) {
    if (!isObj(spec.selector) || Object.keys(spec.selector).length === 0) spec.selector = { ...labels };
    if (!isObj(rc.metadata)) rc.metadata = {};
    const meta = rc.metadata as Obj;
    if (!isObj(meta.labels) || Object.keys(meta.labels).length === 0) meta.labels = { ...labels };
  }
  if (unset(spec.replicas)) spec.replicas = 1;
  defaultPodTemplate(spec.template);
}
