// The contract between the proxy's change tracking and a forwarding implementation (upstream
// pkg/proxy/types.go Provider). A proxier is handed the whole current state plus the service
// ports that changed since its last sync, and must bring its forwarding in line for exactly
// those: a userspace proxier opens and closes listeners, a kernel (nftables) proxier would write
// the rules of those service ports in one transaction. sync() calls never overlap.
import type { Logger } from 'pino';
import type { EndpointsMap, ServicePortMap } from './change-tracker.js';
import type { ServicePortKey } from './service-port.js';

export interface ProxyState {
  readonly services: ServicePortMap;
  readonly endpoints: EndpointsMap;
}

export interface Proxier {
  /** "userspace" (and, later, "nftables"). */
  readonly mode: string;
  /**
   * Brings forwarding in line with `state` for the service ports in `changed` (on the first
   * sync: every service port). Resolves when new connections follow the new state. Must not
   * throw for one bad service port: log it and carry on with the rest.
   */
  sync(state: ProxyState, changed: ReadonlySet<ServicePortKey>): Promise<void>;
  /** Removes everything it installed (listeners, routes, rules) and closes open connections. */
  stop(): Promise<void>;
}

/** What every proxier is built from. */
export interface ProxierOptions {
  nodeName: string;
  /** Addresses NodePorts (and load-balancer ingress) listen on. */
  nodeAddresses: string[];
  /** The range ClusterIPs come from; made local to this host when needed. */
  serviceCidr: string;
  log: Logger;
}

export type ProxierFactory<O extends ProxierOptions = ProxierOptions> = (opts: O) => Promise<Proxier>;
