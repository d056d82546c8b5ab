// What the controller manager asks for each controller's own client under
// --use-service-account-credentials (upstream's ControllerClientBuilder): a client that acts as
// the controller's ServiceAccount in kube-system, whose existence the builder sees to.
import type { Client } from '../../client/rest/client.js';

/** Where the controllers' ServiceAccounts live (upstream's metav1.NamespaceSystem). */
export const CONTROLLER_ACCOUNTS_NAMESPACE = 'kube-system';

export interface ControllerClientBuilder {
  /** The client of `serviceAccount` (one per account, shared by the controllers that use it); returns at once. */
  clientFor(serviceAccount: string): Client;
  /** Stops background work and closes the clients it made. */
  close(): Promise<void>;
}
