// What the admission webhook plugins (MutatingAdmissionWebhook, ValidatingAdmissionWebhook) know
// about one request, in the terms webhook matching and AdmissionReview use.
import type { MutatingWebhook, ValidatingWebhook } from 'kubernetes-types/admissionregistration/v1.js';
import type { KubeObject } from '../../../api/object.js';
import type { UserInfo } from '../../registry/context.js';
import type { Operation } from '../admission.js';

export type Webhook = MutatingWebhook | ValidatingWebhook;

export interface WebhookRequest {
  operation: Operation;
  /** The resource as requested (group, version, plural) and its kind. */
  group: string;
  version: string;
  resource: string;
  subresource: string;
  kind: string;
  /**
   * The kind's group and version where they differ from the resource's: a subresource may
   * carry another kind (deployments/scale is autoscaling/v1 Scale, pods/eviction policy/v1
   * Eviction). Absent: the resource's group and version.
   */
  kindGroup?: string;
  kindVersion?: string;
  namespaced: boolean;
  /** '' for cluster-scoped resources. */
  namespace: string;
  /** '' while a create's name is still to be generated. */
  name: string;
  /** The object being written; for DELETE, undefined (the object being deleted is oldObject). */
  object?: KubeObject;
  oldObject?: KubeObject;
  /** Labels of the namespace the request is in (undefined for cluster-scoped requests). */
  namespaceLabels?: Record<string, string>;
  userInfo: UserInfo;
  dryRun: boolean;
  /** CreateOptions / UpdateOptions / DeleteOptions as upstream sends them in request.options. */
  options?: Record<string, unknown>;
  /**
   * The resource and kind as requested, when the webhook is called for an equivalent version
   * (matchPolicy Equivalent): AdmissionReview's requestKind and requestResource. Absent: the
   * ones above were requested.
   */
  requested?: Pick<WebhookRequest, 'group' | 'version' | 'resource' | 'kind' | 'kindGroup' | 'kindVersion'>;
}
