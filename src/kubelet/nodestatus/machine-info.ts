// What this machine is, for the Node object: capacity (upstream cadvisor MachineInfo), system
// info (nodeInfo), addresses. Read once at start; cheap, no waiting on anything slow.
import { readFileSync, statfsSync } from 'node:fs';
import { cpus, hostname, networkInterfaces, release, totalmem } from 'node:os';
import type { NodeAddress, NodeSystemInfo } from 'kubernetes-types/core/v1.js';
import { K8TS_VERSION, KUBERNETES_MAJOR, KUBERNETES_MINOR } from '../../util/version.js';

export interface MachineCapacity {
  milliCpu: number;
  memoryBytes: number;
  ephemeralStorageBytes: number;
  pods: number;
}

export const kubeletVersion = `v${KUBERNETES_MAJOR}.${KUBERNETES_MINOR}.0-k8ts.${K8TS_VERSION}`;

export function machineCapacity(rootDir: string, maxPods = 110): MachineCapacity {
  let ephemeralStorageBytes = 0;
  try {
    const s = statfsSync(rootDir);
    ephemeralStorageBytes = Number(s.blocks) * Number(s.bsize);
  } catch {
    // Unknown disk: report 0 rather than fail the node.
  }
  return { milliCpu: cpus().length * 1000, memoryBytes: totalmem(), ephemeralStorageBytes, pods: maxPods };
}

function readTrimmed(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

function osImage(): string {
  const text = readTrimmed('/etc/os-release');
  const m = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(text);
  return m?.[1] ?? (process.platform === 'darwin' ? 'macOS' : process.platform);
}

/** Go's GOARCH for Node's process.arch. */
export function goArch(): string {
  const map: Record<string, string> = { x64: 'amd64', ia32: '386', arm: 'arm', arm64: 'arm64', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  return map[process.arch] ?? process.arch;
}

export function goOs(): string {
  return process.platform === 'win32' ? 'windows' : process.platform;
}

export function systemInfo(runtimeVersion: string): NodeSystemInfo {
  const machineID = readTrimmed('/etc/machine-id') || readTrimmed('/var/lib/dbus/machine-id');
  return {
    machineID,
    systemUUID: readTrimmed('/sys/class/dmi/id/product_uuid') || machineID,
    bootID: readTrimmed('/proc/sys/kernel/random/boot_id'),
    kernelVersion: release(),
    osImage: osImage(),
    containerRuntimeVersion: runtimeVersion,
    kubeletVersion,
    kubeProxyVersion: '',
    operatingSystem: goOs(),
    architecture: goArch(),
  };
}

/** The node's InternalIP: the option, else the first non-loopback IPv4, else 127.0.0.1. */
export function defaultNodeIP(): string {
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

export function nodeAddresses(nodeIP: string, host = hostname()): NodeAddress[] {
  return [
    { type: 'InternalIP', address: nodeIP },
    { type: 'Hostname', address: host },
  ];
}
