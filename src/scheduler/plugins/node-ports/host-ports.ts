// The host ports a pod asks for (upstream util.GetHostPorts): every container port with a
// hostPort > 0, init containers included (a restartable sidecar keeps its port for the pod's life,
// and the kubelet reserves ports of all containers).
import type { ContainerPort, Pod } from 'kubernetes-types/core/v1.js';
import { HostPortInfo } from '../../framework/node-info.js';

export function hostPorts(pod: Pod): ContainerPort[] {
  const ports: ContainerPort[] = [];
  for (const list of [pod.spec?.initContainers, pod.spec?.containers]) {
    for (const c of list ?? []) for (const p of c.ports ?? []) if (p.hostPort && p.hostPort > 0) ports.push(p);
  }
  return ports;
}

/** True when none of `want` conflicts with a port in use. */
export function fitsPorts(want: readonly ContainerPort[], inUse: HostPortInfo): boolean {
  if (inUse.size === 0) return true;
  for (const p of want) if (inUse.conflicts(p.hostIP, p.protocol, p.hostPort!)) return false;
  return true;
}

export function portInfoOf(ports: readonly ContainerPort[]): HostPortInfo {
  const info = new HostPortInfo();
  for (const p of ports) info.add(p.hostIP, p.protocol, p.hostPort!);
  return info;
}
