// Docker-link style environment variables for services (upstream pkg/kubelet/envvars and the
// kubelet's getServiceEnvVarMap): FOO_SERVICE_HOST/PORT, FOO_SERVICE_PORT_<NAME>, FOO_PORT and
// FOO_PORT_<port>_<PROTO>[_PROTO|_PORT|_ADDR] for every service with a cluster IP.
import type { Service } from 'kubernetes-types/core/v1.js';

/** The master service whose variables every pod gets, even with enableServiceLinks false. */
const masterServices = new Set(['kubernetes']);

const envName = (s: string) => s.replaceAll('-', '_').toUpperCase();

function isServiceIPSet(s: Service): boolean {
  const ip = s.spec?.clusterIP;
  return !!ip && ip !== 'None';
}

function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** envvars.FromServices: the variables for the given services, in order. */
export function fromServices(services: Service[]): [string, string][] {
  const out: [string, string][] = [];
  for (const svc of services) {
    if (!isServiceIPSet(svc)) continue;
    const ports = svc.spec?.ports ?? [];
    if (ports.length === 0) continue;
    const ip = svc.spec!.clusterIP!;
    const prefix = envName(svc.metadata?.name ?? '');
    out.push([`${prefix}_SERVICE_HOST`, ip]);
    out.push([`${prefix}_SERVICE_PORT`, String(ports[0]!.port)]);
    for (const p of ports) if (p.name) out.push([`${prefix}_SERVICE_PORT_${envName(p.name)}`, String(p.port)]);
    ports.forEach((p, i) => {
      const protocol = p.protocol ?? 'TCP';
      const url = `${protocol.toLowerCase()}://${joinHostPort(ip, p.port)}`;
      if (i === 0) out.push([`${prefix}_PORT`, url]);
      const portPrefix = `${prefix}_PORT_${p.port}_${protocol.toUpperCase()}`;
      out.push([portPrefix, url]);
      out.push([`${portPrefix}_PROTO`, protocol.toLowerCase()]);
      out.push([`${portPrefix}_PORT`, String(p.port)]);
      out.push([`${portPrefix}_ADDR`, ip]);
    });
  }
  return out;
}

/**
 * The service variables a pod in `namespace` sees: its namespace's services when
 * enableServiceLinks, and always the `kubernetes` service of "default".
 */
export function serviceEnvVarMap(services: Service[], namespace: string, enableServiceLinks: boolean): Map<string, string> {
  const chosen = new Map<string, Service>();
  for (const svc of services) {
    if (!isServiceIPSet(svc)) continue;
    const name = svc.metadata?.name ?? '';
    const ns = svc.metadata?.namespace ?? '';
    if (ns === 'default' && masterServices.has(name)) {
      if (!chosen.has(name)) chosen.set(name, svc);
    } else if (ns === namespace && enableServiceLinks) {
      chosen.set(name, svc);
    }
  }
  return new Map(fromServices([...chosen.values()]));
}
