// The kube-system/kube-dns Service that pods' resolv.conf points at, made selectorless with an
// EndpointSlice naming where our DNS server listens, so the service proxy forwards
// clusterIP:53 (UDP and TCP) to it — the way `k8ts up` runs cluster DNS in its own process.
// Idempotent: run on every start; it updates the Service and slice if they differ.
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { KubeObject } from '../../api/object.js';
import type { Client } from '../../client/rest/client.js';
import { resources } from '../../client/rest/builtin-resources.js';
import { isNotFound } from '../../client/rest/errors.js';

export const kubeDnsSliceName = 'kube-dns-k8ts';
export const kubeDnsManager = 'cluster-dns.k8ts.io';

export interface KubeDnsServiceOptions {
  /** The DNS ClusterIP pods use (default 10.96.0.10; must be inside the API server's service CIDR). */
  clusterIP?: string;
  /** Where the DNS server listens (an address the proxy can reach). */
  dnsAddress: string;
  dnsPort: number;
  /** Where metrics are served, if anywhere (the metrics port gets an endpoint only then). */
  metricsPort?: number;
}

export async function ensureKubeDnsService(client: Client, opts: KubeDnsServiceOptions): Promise<{ service: Service & KubeObject; slice: EndpointSlice & KubeObject }> {
  const services = client.resource(resources.services).inNamespace('kube-system');
  const slices = client.resource(resources.endpointSlices).inNamespace('kube-system');
  const clusterIP = opts.clusterIP ?? '10.96.0.10';
  const desiredSpec: Service['spec'] = {
    clusterIP,
    ports: [
      { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
      { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
      { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153 },
    ],
  };
  const labels = { 'k8s-app': 'kube-dns', 'kubernetes.io/name': 'CoreDNS', 'kubernetes.io/cluster-service': 'true' };
  let service: Service & KubeObject;
  try {
    const existing = await services.get('kube-dns');
    const ports = JSON.stringify(existing.spec?.ports?.map((p) => [p.name, p.port, p.protocol]));
    if (existing.spec?.clusterIP !== clusterIP) {
      // A ClusterIP cannot be changed in place.
      await services.delete('kube-dns');
      service = await services.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'kube-dns', namespace: 'kube-system', labels }, spec: desiredSpec });
    } else if (ports !== JSON.stringify(desiredSpec.ports?.map((p) => [p.name, p.port, p.protocol])) || existing.spec?.selector) {
      service = await services.update({ ...existing, spec: { ...existing.spec, selector: undefined, ports: desiredSpec.ports } });
    } else {
      service = existing;
    }
  } catch (err) {
    if (!isNotFound(err)) throw err;
    service = await services.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'kube-dns', namespace: 'kube-system', labels }, spec: desiredSpec });
  }
  const ports = [
    { name: 'dns', port: opts.dnsPort, protocol: 'UDP' },
    { name: 'dns-tcp', port: opts.dnsPort, protocol: 'TCP' },
  ];
  const slice: EndpointSlice & KubeObject = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: kubeDnsSliceName, namespace: 'kube-system', labels: { 'kubernetes.io/service-name': 'kube-dns', 'endpointslice.kubernetes.io/managed-by': kubeDnsManager, ...labels } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [opts.dnsAddress], conditions: { ready: true, serving: true, terminating: false } }],
    ports,
  };
  const metricsSlice = opts.metricsPort ? { ...slice, metadata: { ...slice.metadata, name: `${kubeDnsSliceName}-metrics` }, ports: [{ name: 'metrics', port: opts.metricsPort, protocol: 'TCP' }] } : undefined;
  const put = async (s: EndpointSlice & KubeObject) => {
    try {
      const existing = await slices.get(s.metadata!.name!);
      return await slices.update({ ...s, metadata: { ...s.metadata, resourceVersion: existing.metadata?.resourceVersion } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      return slices.create(s);
    }
  };
  const written = await put(slice);
  if (metricsSlice) await put(metricsSlice);
  return { service, slice: written };
}
