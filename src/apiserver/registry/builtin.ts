// Assembles the built-in resources: each row of the resource table with its strategy (defaults,
// validation, kind hooks, table printer, field selectors) and its schema.
import { builtinGroups, builtinResources } from '../../api/resources/builtin.js';
import { defaulterFor } from '../../api/defaults/index.js';
import { createValidatorFor, validateObjectUpdate } from '../../api/validation/index.js';
import { printerFor } from '../../api/printers/index.js';
import { schemaForKind } from '../../api/openapi/schema-nodes.js';
import type { ResourceType } from '../../api/resource.js';
import type { ObjectNode } from '../../api/schema.js';
import { hooksFor } from './kind-hooks.js';
import { coreEventToEventsV1, eventsV1ToCoreEvent } from '../../api/conversion/events.js';
import { hpaV1ToV2, hpaV2ToV1 } from '../../api/conversion/hpa.js';
import { storagePrefix, type ResourceEntry } from './resource-entry.js';
import { ResourceRegistry } from './resource-registry.js';

/**
 * Resources that are requests rather than stored objects (reviews, bindings); they have their
 * own create handlers and no storage.
 */
export const virtualResources = new Set([
  'authorization.k8s.io/selfsubjectaccessreviews',
  'authorization.k8s.io/selfsubjectrulesreviews',
  'authorization.k8s.io/subjectaccessreviews',
  'authorization.k8s.io/localsubjectaccessreviews',
  'authentication.k8s.io/selfsubjectreviews',
  'authentication.k8s.io/tokenreviews',
  '/bindings',
  '/componentstatuses',
  'metrics.k8s.io/nodes',
  'metrics.k8s.io/pods',
]);

export function isVirtual(t: ResourceType): boolean {
  return virtualResources.has(`${t.group}/${t.plural}`);
}

/** Kinds whose upstream strategy sets metadata.generation (1.32: workloads, not pods or services). */
const generationKinds = new Set([
  'apps/Deployment',
  'apps/ReplicaSet',
  'apps/StatefulSet',
  'apps/DaemonSet',
  'batch/Job',
  'batch/CronJob',
  '/ReplicationController',
  'autoscaling/HorizontalPodAutoscaler',
  'policy/PodDisruptionBudget',
  'networking.k8s.io/NetworkPolicy',
  'networking.k8s.io/Ingress',
  'apiextensions.k8s.io/CustomResourceDefinition',
  'flowcontrol.apiserver.k8s.io/FlowSchema',
  'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
  'discovery.k8s.io/EndpointSlice',
]);

/** Resources stored as another version's objects, with the conversions between them. */
const sharedStorage: Record<string, { group: string; plural: string; convert: NonNullable<ResourceEntry['convert']> }> = {
  'events.k8s.io/v1/events': { group: '', plural: 'events', convert: { toStorage: eventsV1ToCoreEvent, fromStorage: coreEventToEventsV1 } },
  'autoscaling/v1/horizontalpodautoscalers': { group: 'autoscaling', plural: 'horizontalpodautoscalers', convert: { toStorage: hpaV1ToV2, fromStorage: hpaV2ToV1 } },
};

export function builtinEntry(t: ResourceType): ResourceEntry {
  const { group, version, kind } = t;
  const hasStatus = t.subresources.some((s) => s.name === 'status');
  const hooks = hooksFor(group, kind, hasStatus);
  // A resource served at several versions without a conversion keeps each version's objects
  // apart; the preferred version owns the plain prefix.
  const preferred = builtinGroups.find((g) => g.group === group)?.versions[0] ?? version;
  const plural = version === preferred ? t.plural : `${t.plural}.${version}`;
  const shared = sharedStorage[`${group}/${version}/${t.plural}`];
  // What the strategy looks up by kind is looked up once.
  const defaulter = defaulterFor(group, kind);
  const validate = createValidatorFor(group, kind);
  // The schema is looked up once (every write asks for it, some twice: decoding, managedFields).
  let schema: ObjectNode | undefined;
  let schemaKnown = false;
  return {
    ...(shared ? { convert: shared.convert } : {}),
    type: t,
    gr: { group, resource: t.plural },
    prefix: shared ? storagePrefix(shared.group, shared.plural) : storagePrefix(group, plural),
    hasStatus,
    tracksGeneration: generationKinds.has(`${group}/${kind}`),
    schema: () => {
      if (!schemaKnown) {
        schema = schemaForKind(group, version, kind);
        schemaKnown = true;
      }
      return schema;
    },
    strategy: {
      defaults: (obj) => defaulter?.(obj, version),
      validate,
      validateUpdate: (obj, old) => validateObjectUpdate(group, version, kind, obj, old),
      printer: printerFor(group, kind),
      ...hooks,
    },
  };
}

export function builtinRegistry(): ResourceRegistry {
  const registry = new ResourceRegistry();
  for (const g of builtinGroups) {
    for (const version of g.versions) {
      for (const t of builtinResources) {
        if (t.group === g.group && t.version === version) registry.add(builtinEntry(t));
      }
    }
  }
  return registry;
}
