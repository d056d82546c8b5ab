// The node agent `k8ts up` runs inside the API server's process: the process runtime under the
// data dir, a client over the in-process transport as the node's user (system:node:NAME in
// system:nodes, as a kubelet authenticates), node name = hostname.
import { join } from 'node:path';
import type { Logger } from 'pino';
import { Client } from '../client/rest/client.js';
import type { InProcessHandler } from '../client/transport/in-process.js';
import { startNodeAgent, type NodeAgent, type NodeAgentOptions } from './node-agent.js';
import { ProcessRuntime } from './runtime/process/runtime.js';
import { hostname } from 'node:os';
import { defaultNodeIP } from './nodestatus/machine-info.js';

export interface LocalAgentOptions extends Partial<Omit<NodeAgentOptions, 'client' | 'runtime' | 'rootDir' | 'log'>> {
  /** The API server's request function (ApiServer.handle). */
  handler: InProcessHandler;
  dataDir: string;
  log: Logger;
  /** Serve the kubelet API on this port (0 = any free one) for clients signed by clientCaPem. */
  kubeletPort?: number;
  clientCaPem?: string;
}

export interface LocalAgent extends NodeAgent {
  runtime: ProcessRuntime;
}

export async function startLocalNodeAgent(o: LocalAgentOptions): Promise<LocalAgent> {
  const { handler, dataDir, log, kubeletPort, clientCaPem, ...rest } = o;
  const nodeName = (o.nodeName ?? hostname()).toLowerCase();
  const client = Client.inProcess(handler, { username: `system:node:${nodeName}`, groups: ['system:nodes', 'system:authenticated'] });
  // hostNetwork pods get the node's address, as upstream.
  const nodeIP = o.nodeIP ?? defaultNodeIP();
  const runtime = new ProcessRuntime({ rootDir: join(dataDir, 'runtime'), podCidr: o.podCidr, nodeIp: nodeIP, log: log.child({ component: 'runtime' }) });
  const kubeletServer = kubeletPort !== undefined && clientCaPem ? { port: kubeletPort, clientCaPem } : rest.kubeletServer;
  const agent = await startNodeAgent({ ...rest, nodeIP, kubeletServer, nodeName, client, runtime, rootDir: join(dataDir, 'kubelet'), log });
  return {
    get kubeletPort() {
      return agent.kubeletPort;
    },
    nodeName: agent.nodeName,
    ready: agent.ready,
    workers: agent.workers,
    statusManager: agent.statusManager,
    runtime,
    async stop(opts = { killPods: true }) {
      await agent.stop(opts);
      runtime.close();
      await client.close();
    },
  };
}
