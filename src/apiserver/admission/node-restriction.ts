// The NodeRestriction admission plugin (upstream plugin/pkg/admission/noderestriction, as in
// Kubernetes 1.32). A request is a node's when its user is `system:node:<name>` in the
// `system:nodes` group (upstream's nodeidentifier); such a request may touch only what belongs
// to that node:
// - pods: create mirror pods bound to itself, owned by its own Node and referencing no other
//   API objects; delete pods bound to itself; pods/status of pods bound to itself (labels and
//   resource claim statuses unchanged); pods/eviction of pods bound to itself; no other write
//   and no other pod subresource;
// - nodes (and their subresources): only its own Node; no configSource, no change of taints,
//   and no node-restriction.kubernetes.io/ label nor kubernetes.io / k8s.io label outside the
//   kubelet's well-known set;
// - persistentvolumeclaims: only status.capacity, status.conditions and the expansion-recovery
//   status fields;
// - serviceaccounts/token: only tokens bound to a pod (by name and uid) scheduled on itself;
// - leases: only its own lease in kube-node-lease; csinodes: only its own;
// - resourceslices: create and delete only slices with spec.nodeName set to itself;
// - certificatesigningrequests for the kubelet signers: only with CN=system:node:<itself>.
// Everything else, and every request of any other user, passes. Upstream's messages are kept.
//
// The checks run as a mutating plugin, as upstream's (after ServiceAccount, before the webhooks);
// a delete is checked on the object being deleted. Existing pods and nodes are read from the
// watch cache (upstream: the informers' listers), brought up to date when it lacks one.
import { isDeepStrictEqual } from 'node:util';
import type { CertificateSigningRequest } from 'kubernetes-types/certificates/v1.js';
import type { Node, PersistentVolumeClaim, Pod, PodResourceClaimStatus, Taint } from 'kubernetes-types/core/v1.js';
import type { KubeObject, StoredObject } from '../../api/object.js';
import { StatusError } from '../../api/status.js';
import { NODE_USER_PREFIX, parseRequest } from '../../auth/bootstrap/csr.js';
import { podReferences } from '../../api/pod-references.js';
import { nodeIdentity } from '../../auth/node-identity.js';
import type { UserInfo } from '../registry/context.js';
import type { ResourceEntry } from '../registry/resource-entry.js';
import { admissionForbidden, type AdmissionAttributes, type AdmissionPlugin } from './admission.js';
import type { AdmissionDeps } from './plugins.js';

export const nodeRestrictionPluginName = 'NodeRestriction';
const mirrorPodAnnotation = 'kubernetes.io/config.mirror';
const nodeLeaseNamespace = 'kube-node-lease';
const nodeRestrictionLabelNamespace = 'node-restriction.kubernetes.io';
const kubeletServingSigner = 'kubernetes.io/kubelet-serving';
const kubeletClientSigner = 'kubernetes.io/kube-apiserver-client-kubelet';

/** Labels a kubelet may set on its own Node (upstream k8s.io/kubelet/pkg/apis kubeletLabels). */
const kubeletLabels = new Set([
  'kubernetes.io/hostname',
  'topology.kubernetes.io/zone',
  'topology.kubernetes.io/region',
  'failure-domain.beta.kubernetes.io/zone',
  'failure-domain.beta.kubernetes.io/region',
  'beta.kubernetes.io/instance-type',
  'node.kubernetes.io/instance-type',
  'kubernetes.io/os',
  'kubernetes.io/arch',
  'beta.kubernetes.io/os',
  'beta.kubernetes.io/arch',
]);
/** Label namespaces (and their subdomains) a kubelet may set (kubeletLabelNamespaces). */
const kubeletLabelNamespaces = ['kubelet.kubernetes.io', 'node.kubernetes.io'];

type Lookup<T> = T | undefined | Promise<T | undefined>;

export function nodeRestriction(deps: Pick<AdmissionDeps, 'cache' | 'registry'>): AdmissionPlugin {
  const podsEntry = deps.registry.find('', 'v1', 'pods')!;
  const nodesEntry = deps.registry.find('', 'v1', 'nodes')!;

  /** From the watch cache at once; a miss waits for the cache to catch up with storage, once. */
  function cached<T>(entry: ResourceEntry, key: string): Lookup<T> {
    const objects = () => deps.cache.resourceFor(entry.prefix).objects;
    const hit = objects().get(key) as T | undefined;
    if (hit) return hit;
    return deps.cache.syncToStore().then(() => objects().get(key) as T | undefined);
  }

  /** The pod (as the pods lister answers: NotFound names the resource "pod"). */
  function getPod(namespace: string, name: string, then: (pod: Pod & StoredObject) => void): void | Promise<void> {
    return withFound(cached<Pod & StoredObject>(podsEntry, `${podsEntry.prefix}${namespace}/${name}`), 'pod', name, then);
  }

  function getNode(name: string, then: (node: Node & StoredObject) => void): void | Promise<void> {
    return withFound(cached<Node & StoredObject>(nodesEntry, `${nodesEntry.prefix}${name}`), 'node', name, then);
  }

  function admitPodCreate(nodeName: string, a: AdmissionAttributes): void | Promise<void> {
    const pod = a.object as Pod;
    if (pod.metadata?.annotations?.[mirrorPodAnnotation] === undefined) {
      throw admissionForbidden(a, `pod does not have ${q(mirrorPodAnnotation)} annotation, node ${q(nodeName)} can only create mirror pods`);
    }
    if ((pod.spec?.nodeName ?? '') !== nodeName) throw admissionForbidden(a, `node ${q(nodeName)} can only create pods with spec.nodeName set to itself`);
    const owners = pod.metadata.ownerReferences ?? [];
    if (owners.length > 1) throw admissionForbidden(a, `node ${q(nodeName)} can only create pods with a single owner reference set to itself`);
    if (owners.length === 0) throw admissionForbidden(a, `node ${q(nodeName)} can only create pods with an owner reference set to itself`);
    const owner = owners[0];
    if (owner.apiVersion !== 'v1' || owner.kind !== 'Node' || owner.name !== nodeName) {
      throw admissionForbidden(a, `node ${q(nodeName)} can only create pods with an owner reference set to itself`);
    }
    if (!owner.controller) throw admissionForbidden(a, `node ${q(nodeName)} can only create pods with a controller owner reference set to itself`);
    if (owner.blockOwnerDeletion) throw admissionForbidden(a, `node ${q(nodeName)} must not set blockOwnerDeletion on an owner reference`);
    // The owner must be this node as it is now, not an earlier Node of the same name.
    return getNode(nodeName, (node) => {
      const nodeUID = node.metadata.uid ?? '';
      if (owner.uid !== nodeUID) throw admissionForbidden(a, `node ${nodeName} UID mismatch: expected ${owner.uid ?? ''} got ${nodeUID}`);
      checkMirrorPodReferences(nodeName, a, pod);
    });
  }

  function admitPod(nodeName: string, a: AdmissionAttributes): void | Promise<void> {
    switch (a.operation) {
      case 'CREATE':
        return admitPodCreate(nodeName, a);
      case 'DELETE':
        // The pod being deleted, as storage holds it.
        if (((a.object as Pod).spec?.nodeName ?? '') !== nodeName) throw admissionForbidden(a, `node ${q(nodeName)} can only delete pods with spec.nodeName set to itself`);
        return;
      default:
        throw admissionForbidden(a, `unexpected operation ${q(a.operation)}, node ${q(nodeName)} can only create and delete mirror pods`);
    }
  }

  function admitPodEviction(nodeName: string, a: AdmissionAttributes): void | Promise<void> {
    if (a.operation !== 'CREATE') throw admissionForbidden(a, `unexpected operation ${a.operation}`);
    // The pod named by the request, else by the Eviction.
    const podName = a.name || a.object?.metadata?.name || '';
    if (!podName) throw admissionForbidden(a, 'could not determine pod from request data');
    return getPod(a.namespace, podName, (pod) => {
      if ((pod.spec?.nodeName ?? '') !== nodeName) throw admissionForbidden(a, `node ${nodeName} can only evict pods with spec.nodeName set to itself`);
    });
  }

  function admitServiceAccount(nodeName: string, a: AdmissionAttributes): void | Promise<void> {
    if (a.operation !== 'CREATE' || a.subresource !== 'token') return;
    const ref = (a.object?.spec as { boundObjectRef?: { apiVersion?: string; kind?: string; name?: string; uid?: string } | null } | undefined)?.boundObjectRef;
    // A node's token must be bound to a pod scheduled on it (so it cannot spoof a Node binding).
    if (!ref || ref.apiVersion !== 'v1' || ref.kind !== 'Pod' || !ref.name) throw admissionForbidden(a, 'node requested token not bound to a pod');
    if (!ref.uid) throw admissionForbidden(a, 'node requested token with a pod binding without a uid');
    const uid = ref.uid;
    return getPod(a.namespace, ref.name, (pod) => {
      if (uid !== pod.metadata.uid) {
        throw admissionForbidden(a, `the UID in the bound object reference (${uid}) does not match the UID in record. The object might have been deleted and then recreated`);
      }
      if ((pod.spec?.nodeName ?? '') !== nodeName) throw admissionForbidden(a, 'node requested token bound to a pod scheduled on a different node');
    });
  }

  function check(a: AdmissionAttributes): void | Promise<void> {
    const nodeName = nodeIdentity(a.ctx.user);
    if (nodeName === undefined) return;
    if (!nodeName) throw admissionForbidden(a, `could not determine node from user ${q(a.ctx.user.username)}`);
    const { group, plural } = a.entry.type;
    switch (`${group}/${plural}`) {
      case '/pods':
        switch (a.subresource) {
          case '':
            return admitPod(nodeName, a);
          case 'status':
            return admitPodStatus(nodeName, a);
          case 'eviction':
            return admitPodEviction(nodeName, a);
          default:
            throw admissionForbidden(a, `unexpected pod subresource ${q(a.subresource)}, only 'status' and 'eviction' are allowed`);
        }
      case '/nodes':
        return admitNode(nodeName, a);
      case '/persistentvolumeclaims':
        if (a.subresource !== 'status') throw admissionForbidden(a, 'may only update PVC status');
        return admitPVCStatus(nodeName, a);
      case '/serviceaccounts':
        return admitServiceAccount(nodeName, a);
      case 'coordination.k8s.io/leases':
        return admitLease(nodeName, a);
      case 'storage.k8s.io/csinodes':
        return admitCSINode(nodeName, a);
      case 'resource.k8s.io/resourceslices':
        return admitResourceSlice(nodeName, a);
      case 'certificates.k8s.io/certificatesigningrequests':
        return admitCSR(nodeName, a);
      default:
        return;
    }
  }

  return {
    name: nodeRestrictionPluginName,
    // Upstream's plugin is a mutating one, for CREATE, UPDATE and DELETE (not CONNECT).
    admit: (a) => (a.operation === 'CONNECT' ? undefined : check(a)),
  };
}

/** Go's %q for the names and words these messages quote. */
const q = (s: string) => JSON.stringify(s);

/** Runs `then` on the object looked up, or throws the lister's NotFound (`pod "x" not found`). */
function withFound<T>(found: Lookup<T>, kind: string, name: string, then: (obj: T) => void): void | Promise<void> {
  const run = (obj: T | undefined) => {
    if (!obj) throw new StatusError(404, 'NotFound', `${kind} ${q(name)} not found`, { name, kind });
    then(obj);
  };
  if (found instanceof Promise) return found.then(run);
  run(found);
}

// ---- pods -------------------------------------------------------------------------------------

function checkMirrorPodReferences(nodeName: string, a: AdmissionAttributes, pod: Pod): void {
  // A node may not create a pod that references any other API object.
  if (pod.spec?.serviceAccountName || pod.spec?.serviceAccount) throw admissionForbidden(a, `node ${q(nodeName)} can not create pods that reference a service account`);
  const refs = podReferences(pod);
  if (refs.secrets.length) throw admissionForbidden(a, `node ${q(nodeName)} can not create pods that reference secrets`);
  if (refs.configMaps.length) throw admissionForbidden(a, `node ${q(nodeName)} can not create pods that reference configmaps`);
  for (const v of pod.spec?.volumes ?? []) {
    if ((v.projected?.sources as { clusterTrustBundle?: unknown }[] | undefined)?.some((s) => s.clusterTrustBundle)) {
      throw admissionForbidden(a, `node ${q(nodeName)} can not create pods that reference clustertrustbundles`);
    }
  }
  if (pod.spec?.volumes?.some((v) => v.persistentVolumeClaim)) throw admissionForbidden(a, `node ${q(nodeName)} can not create pods that reference persistentvolumeclaims`);
}

function admitPodStatus(nodeName: string, a: AdmissionAttributes): void {
  if (a.operation !== 'UPDATE') throw admissionForbidden(a, `unexpected operation ${q(a.operation)}`);
  const oldPod = a.oldObject as Pod | undefined;
  if ((oldPod?.spec?.nodeName ?? '') !== nodeName) throw admissionForbidden(a, `node ${q(nodeName)} can only update pod status for pods with spec.nodeName set to itself`);
  const newPod = a.object as Pod;
  if (!isDeepStrictEqual(oldPod?.metadata?.labels ?? {}, newPod.metadata?.labels ?? {})) throw admissionForbidden(a, `node ${q(nodeName)} cannot update labels through pod status`);
  if (!resourceClaimStatusesEqual(oldPod?.status?.resourceClaimStatuses ?? [], newPod.status?.resourceClaimStatuses ?? [])) {
    throw admissionForbidden(a, `node ${q(nodeName)} cannot update resource claim statues`);
  }
}

function resourceClaimStatusesEqual(a: PodResourceClaimStatus[], b: PodResourceClaimStatus[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((s, i) => s.name === b[i].name && (s.resourceClaimName ?? undefined) === (b[i].resourceClaimName ?? undefined));
}

// ---- nodes ------------------------------------------------------------------------------------

function admitNode(nodeName: string, a: AdmissionAttributes): void {
  if (a.name !== nodeName) throw admissionForbidden(a, `node ${q(nodeName)} is not allowed to modify node ${q(a.name)}`);
  const node = a.object as Node;
  if (a.operation === 'CREATE') {
    // A configSource would widen what the node authorizer lets the node read.
    if (node.spec?.configSource != null) throw admissionForbidden(a, `node ${q(nodeName)} is not allowed to create pods with a non-nil configSource`);
    // Labels outside the allowed set would let the node steer privileged workloads to itself.
    const forbidden = forbiddenLabels(modifiedLabels(node.metadata?.labels, undefined));
    if (forbidden.length) throw admissionForbidden(a, `node ${q(nodeName)} is not allowed to set the following labels: ${forbidden.join(', ')}`);
  }
  if (a.operation === 'UPDATE') {
    const oldNode = (a.oldObject ?? {}) as Node;
    // Only a new non-nil configSource counts: an old kubelet may drop the field.
    if (node.spec?.configSource != null && !semanticEqual(node.spec.configSource, oldNode.spec?.configSource)) {
      throw admissionForbidden(a, `node ${q(nodeName)} is not allowed to update configSource to a new non-nil configSource`);
    }
    if (!semanticEqual(node.spec?.taints as Taint[] | undefined, oldNode.spec?.taints)) throw admissionForbidden(a, `node ${q(nodeName)} is not allowed to modify taints`);
    const forbidden = forbiddenLabels(modifiedLabels(node.metadata?.labels, oldNode.metadata?.labels));
    if (forbidden.length) throw admissionForbidden(a, `is not allowed to modify labels: ${forbidden.join(', ')}`);
  }
}

/** The keys whose values differ between the two label maps (added, removed or changed). */
function modifiedLabels(a: Record<string, string> | undefined, b: Record<string, string> | undefined): Set<string> {
  const modified = new Set<string>();
  for (const [k, v] of Object.entries(a ?? {})) if (!b || !Object.hasOwn(b, k) || b[k] !== v) modified.add(k);
  for (const [k, v] of Object.entries(b ?? {})) if (!a || !Object.hasOwn(a, k) || a[k] !== v) modified.add(k);
  return modified;
}

function labelNamespace(key: string): string {
  const slash = key.indexOf('/');
  return slash < 0 ? '' : key.slice(0, slash);
}

const inNamespace = (ns: string, domain: string) => ns === domain || ns.endsWith(`.${domain}`);

function isKubeletLabel(key: string): boolean {
  if (kubeletLabels.has(key)) return true;
  const ns = labelNamespace(key);
  return kubeletLabelNamespaces.some((allowed) => inNamespace(ns, allowed));
}

/** The labels a node may not add, remove or change, sorted (upstream getForbiddenLabels). */
export function forbiddenLabels(modified: Set<string>): string[] {
  const out: string[] = [];
  for (const key of modified) {
    const ns = labelNamespace(key);
    if (inNamespace(ns, nodeRestrictionLabelNamespace)) out.push(key);
    else if ((inNamespace(ns, 'kubernetes.io') || inNamespace(ns, 'k8s.io')) && !isKubeletLabel(key)) out.push(key);
  }
  return out.sort();
}

// ---- persistentvolumeclaims -------------------------------------------------------------------

function admitPVCStatus(nodeName: string, a: AdmissionAttributes): void {
  if (a.operation !== 'UPDATE') throw admissionForbidden(a, `unexpected operation ${q(a.operation)}`);
  // Everything but the fields a node reports must stay as it was.
  const strip = (pvc: KubeObject | undefined): KubeObject => {
    const copy = structuredClone(pvc ?? {}) as KubeObject;
    const meta = copy.metadata as Record<string, unknown> | undefined;
    if (meta) {
      delete meta.resourceVersion;
      delete meta.managedFields;
    }
    const status = copy.status as PersistentVolumeClaim['status'];
    if (status) {
      delete status.capacity;
      delete status.conditions;
      // RecoverVolumeExpansionFailure is on by default in 1.32.
      delete status.allocatedResourceStatuses;
      delete status.allocatedResources;
    }
    return copy;
  };
  const oldPVC = strip(a.oldObject);
  const newPVC = strip(a.object);
  if (!semanticEqual(oldPVC, newPVC)) {
    throw admissionForbidden(a, `node ${q(nodeName)} is not allowed to update fields other than status.quantity and status.conditions: ${describeDiff(oldPVC, newPVC)}`);
  }
}

// ---- leases, CSINodes, ResourceSlices, CSRs ----------------------------------------------------

function admitLease(nodeName: string, a: AdmissionAttributes): void {
  if (a.namespace !== nodeLeaseNamespace) throw admissionForbidden(a, `can only access leases in the ${q(nodeLeaseNamespace)} system namespace`);
  // A create names the lease in the object (its name is not generated yet while mutating admission runs).
  const name = a.operation === 'CREATE' ? (a.object.metadata?.name ?? '') : a.name;
  if (name !== nodeName) throw admissionForbidden(a, 'can only access node lease with the same name as the requesting node');
}

function admitCSINode(nodeName: string, a: AdmissionAttributes): void {
  const name = a.operation === 'CREATE' ? (a.object.metadata?.name ?? '') : a.name;
  if (name !== nodeName) throw admissionForbidden(a, 'can only access CSINode with the same name as the requesting node');
}

function admitResourceSlice(nodeName: string, a: AdmissionAttributes): void {
  // Other writes are the node authorizer's to judge; it cannot see a create's object, nor each
  // object a deletecollection deletes.
  const sliceNode = (obj: KubeObject | undefined) => (obj?.spec as { nodeName?: string } | undefined)?.nodeName ?? '';
  if (a.operation === 'CREATE' && sliceNode(a.object) !== nodeName) throw admissionForbidden(a, 'can only create ResourceSlice with the same NodeName as the requesting node');
  if (a.operation === 'DELETE' && sliceNode(a.oldObject ?? a.object) !== nodeName) throw admissionForbidden(a, 'can only delete ResourceSlice with the same NodeName as the requesting node');
}

function admitCSR(nodeName: string, a: AdmissionAttributes): void | Promise<void> {
  // A node's CSR for a kubelet signer must name the node itself (AllowInsecureKubeletCertificateSigningRequests
  // is off by default in 1.32); the signer checks the rest.
  if (a.operation !== 'CREATE') return;
  const spec = (a.object.spec ?? {}) as { signerName?: string; request?: string };
  if (spec.signerName !== kubeletServingSigner && spec.signerName !== kubeletClientSigner) return;
  // upstream certificates.ParseCSR: the first PEM block must be a CERTIFICATE REQUEST.
  const pem = Buffer.from(spec.request ?? '', 'base64').toString('utf8');
  const block = /-----BEGIN ([^\n]*?)-----/.exec(pem);
  if (block?.[1] !== 'CERTIFICATE REQUEST') throw admissionForbidden(a, 'unable to parse csr: PEM block type must be CERTIFICATE REQUEST');
  return parseRequest(a.object as unknown as CertificateSigningRequest).then(
    (req) => {
      if (req.commonName !== `${NODE_USER_PREFIX}${nodeName}`) throw admissionForbidden(a, `can only create a node CSR with CN=${NODE_USER_PREFIX}${nodeName}`);
    },
    (err: unknown) => {
      throw admissionForbidden(a, `unable to parse csr: ${err instanceof Error ? err.message : String(err)}`);
    },
  );
}

// ---- comparison -------------------------------------------------------------------------------

/** JSON with nulls, empty lists and empty maps left out: Go's nil and empty compare equal (apiequality.Semantic). */
function normalize(v: unknown): unknown {
  if (v === null || v === undefined) return undefined;
  if (Array.isArray(v)) return v.length ? v.map(normalize) : undefined;
  if (typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const n = normalize(x);
      if (n !== undefined) out[k] = n;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return v;
}

function semanticEqual(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(normalize(a), normalize(b));
}

/**
 * The fields that differ, one `-path: old` / `+path: new` pair a line (upstream prints
 * go-cmp's diff of the Go structs, which this does not reproduce byte for byte).
 */
function describeDiff(a: unknown, b: unknown): string {
  const lines: string[] = [];
  const walk = (x: unknown, y: unknown, path: string) => {
    if (isDeepStrictEqual(x, y)) return;
    const bothObjects = x !== null && y !== null && typeof x === 'object' && typeof y === 'object' && !Array.isArray(x) && !Array.isArray(y);
    if (bothObjects) {
      const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])].sort();
      for (const k of keys) walk((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k], path ? `${path}.${k}` : k);
      return;
    }
    if (x !== undefined) lines.push(`-${path}: ${JSON.stringify(x)}`);
    if (y !== undefined) lines.push(`+${path}: ${JSON.stringify(y)}`);
  };
  walk(normalize(a), normalize(b), '');
  return lines.join('\n');
}
