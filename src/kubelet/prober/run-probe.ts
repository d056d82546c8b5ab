// Runs one probe of a container once, whatever its handler (upstream prober.runProbe). Throws
// when the probe cannot run (a port that does not resolve, a runtime error): the worker treats
// that as Unknown and does not count it.
import type { Container, Probe } from 'kubernetes-types/core/v1.js';
import type { Runtime } from '../runtime/types.js';
import { execProbe } from './probes/exec.js';
import { grpcProbe } from './probes/grpc.js';
import { httpProbe } from './probes/http.js';
import { resolveContainerPort } from './probes/port.js';
import type { ProbeOutcome } from './probes/result.js';
import { tcpProbe } from './probes/tcp.js';

export interface ProbeTarget {
  runtime: Runtime;
  containerId: string;
  container: Container;
  podIP: string;
}

export async function runProbe(p: Probe, t: ProbeTarget): Promise<ProbeOutcome> {
  const timeoutMs = Math.max(1, p.timeoutSeconds ?? 1) * 1000;
  if (p.exec) return execProbe(t.runtime, t.containerId, p.exec.command ?? [], timeoutMs);
  if (p.httpGet) {
    const g = p.httpGet;
    return httpProbe({
      scheme: g.scheme === 'HTTPS' ? 'HTTPS' : 'HTTP',
      host: g.host || t.podIP,
      port: resolveContainerPort(g.port, t.container),
      path: g.path ?? '',
      headers: g.httpHeaders,
      timeoutMs,
    });
  }
  if (p.tcpSocket) return tcpProbe(p.tcpSocket.host || t.podIP, resolveContainerPort(p.tcpSocket.port, t.container), timeoutMs);
  if (p.grpc) return grpcProbe(t.podIP, p.grpc.port, p.grpc.service ?? '', timeoutMs);
  throw new Error('missing probe handler');
}
