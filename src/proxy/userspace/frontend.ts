// One address:port the userspace proxier listens on for a service port, and what its listener
// needs from the proxier. A service port has a cluster frontend (clusterIP:port) and external
// ones (NodePort on each node address, externalIPs:port, load-balancer ingress:port); the two
// kinds choose endpoints under different traffic policies.
import type { EndpointInfo } from '../endpoint.js';
import type { Protocol, ServicePortKey } from '../service-port.js';

export type ListenerKind = 'tcp' | 'udp' | 'http';

export interface Frontend {
  /** "kind:address:port" — unique per bound socket. */
  key: string;
  servicePort: ServicePortKey;
  address: string;
  port: number;
  protocol: Protocol;
  kind: ListenerKind;
  /** NodePort, externalIP or load-balancer traffic (externalTrafficPolicy applies). */
  external: boolean;
}

/** How a listener asks for an endpoint and reports a connection's life. */
export interface EndpointPicker {
  pick(clientIP: string | undefined): EndpointInfo | undefined;
  /** Counts an open connection/request to ep (least-connections); call the result when it ends. */
  open(ep: EndpointInfo): () => void;
}

export interface Listener {
  /** Stops accepting; with `destroyConnections`, also ends the connections it carries. */
  close(destroyConnections: boolean): Promise<void>;
  /** The service port's endpoints changed (drop per-endpoint state such as HTTP agents). */
  endpointsChanged?(endpoints: readonly EndpointInfo[]): void;
}

export const frontendKey = (kind: ListenerKind, address: string, port: number) => `${kind}:${address}:${port}`;
