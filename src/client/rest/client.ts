// The entry point: a Client owns one transport (HTTPS or in-process), the retry policy and a
// discovery cache, and hands out ResourceClients. Construct it from a kubeconfig
// (`Client.fromConfig(loadConfig())`), for a component inside the API server's process
// (`Client.inProcess(api.handle, user)`), or over any Transport.
import type { KubeObject } from '../../api/object.js';
import type { ClientConfig } from '../kubeconfig/client-config.js';
import { HttpsTransport, type HttpsTransportOptions } from '../transport/https.js';
import { InProcessTransport, type InProcessHandler } from '../transport/in-process.js';
import type { InProcessUser, Transport, TransportRequest } from '../types.js';
import { Discovery } from './discovery.js';
import { Requester, type RetryPolicy } from './request.js';
import { ResourceClient } from './resource-client.js';
import { resourceRef, type ResourceRef } from './resource-ref.js';

export interface ClientOptions {
  transport: Transport;
  /** Default namespace for object calls that name none (default "default"). */
  namespace?: string;
  retry?: RetryPolicy;
}

export class Client {
  readonly transport: Transport;
  readonly namespace: string;
  readonly discovery: Discovery;
  private readonly requester: Requester;

  constructor(opts: ClientOptions) {
    this.transport = opts.transport;
    this.namespace = opts.namespace ?? 'default';
    this.requester = new Requester(opts.transport, opts.retry);
    this.discovery = new Discovery(this.requester);
  }

  /** Over HTTPS (HTTP/2 unless `http1`) with the config's server, TLS and credentials. */
  static fromConfig(config: ClientConfig, opts: HttpsTransportOptions & { retry?: RetryPolicy } = {}): Client {
    return new Client({ transport: new HttpsTransport(config, opts), namespace: config.namespace, retry: opts.retry });
  }

  /** In the API server's process: `handler` is its request function (ApiServer.handle). */
  static inProcess(handler: InProcessHandler, user: InProcessUser, opts: { namespace?: string; retry?: RetryPolicy } = {}): Client {
    return new Client({ transport: new InProcessTransport(handler, user), namespace: opts.namespace, retry: opts.retry });
  }

  /** A client for one resource; `namespace` binds every call to it. */
  resource<T extends KubeObject>(ref: ResourceRef<T>, namespace?: string): ResourceClient<T> {
    return new ResourceClient<T>(this.requester, ref, this.namespace, namespace);
  }

  /** A client for the resource serving `kind` in `apiVersion`, found through discovery. */
  async forKind<T extends KubeObject = KubeObject>(apiVersion: string, kind: string, namespace?: string): Promise<ResourceClient<T>> {
    const found = await this.discovery.find(apiVersion, kind);
    if (!found) throw new Error(`no resource serves kind ${kind} in ${apiVersion} on this server`);
    return this.resource(resourceRef<T>({ group: found.group, version: found.version, plural: found.plural, namespaced: found.namespaced, kind: found.kind }), namespace);
  }

  /** A raw request with the client's retries and typed errors, answered as JSON (e.g. /version). */
  requestJSON<R>(req: TransportRequest): Promise<R> {
    return this.requester.json<R>(req);
  }

  /** A raw request whose body is left to the caller (logs, custom streams). */
  requestStream(req: TransportRequest): ReturnType<Requester['stream']> {
    return this.requester.stream(req);
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}
