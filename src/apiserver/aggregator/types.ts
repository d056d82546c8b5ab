// apiregistration.k8s.io/v1 APIService, which kubernetes-types does not include (kube-aggregator's types).
import type { Condition } from 'kubernetes-types/meta/v1.js';
import type { StoredObject } from '../../api/object.js';
import type { ServiceReference } from '../service-endpoint.js';

export interface APIServiceSpec {
  /** Absent: served by this API server itself (a local APIService). */
  service?: ServiceReference | null;
  group?: string;
  version?: string;
  insecureSkipTLSVerify?: boolean;
  /** Base64 PEM roots for the service's serving certificate. */
  caBundle?: string;
  groupPriorityMinimum: number;
  versionPriority: number;
}

export type APIServiceCondition = Condition;

export interface APIService extends StoredObject {
  spec: APIServiceSpec;
  status?: { conditions?: APIServiceCondition[] };
}
