// The cluster PKI: certificates and keys in the data dir, and kubeconfig files that carry them.
export { ensurePki, CA_VALIDITY_DAYS, LEAF_VALIDITY_DAYS, RENEW_BEFORE_DAYS, ADMIN_SUBJECT, type Pki, type PkiOptions } from './pki.js';
export { servingNames, KUBERNETES_SERVICE_IP, type ServingNames } from './names.js';
export { writeKubeconfig, renderKubeconfig, type KubeconfigOptions } from './kubeconfig.js';
