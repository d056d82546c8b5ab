// The resolv.conf a pod's containers see (upstream pkg/kubelet/network/dns GetPodDNS), by
// dnsPolicy: ClusterFirst → the cluster DNS Service with the pod's search path and ndots:5;
// Default → the node's own resolv.conf; None → only spec.dnsConfig; host-network pods use the
// node's unless ClusterFirstWithHostNet. spec.dnsConfig is merged on top as upstream does.
import { readFileSync } from 'node:fs';
import type { Pod } from 'kubernetes-types/core/v1.js';

export interface DnsSettings {
  /** Cluster DNS server IPs (--cluster-dns); empty = ClusterFirst falls back to Default, as upstream. */
  clusterDNS: string[];
  clusterDomain: string;
  /** The node's resolv.conf (default /etc/resolv.conf). */
  resolvConf?: string;
}

export interface ResolvConfig {
  servers: string[];
  searches: string[];
  options: string[];
}

const MAX_NAMESERVERS = 3;
const MAX_SEARCH_DOMAINS = 32;

export function parseResolvConf(text: string): ResolvConfig {
  const out: ResolvConfig = { servers: [], searches: [], options: [] };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const [key, ...fields] = line.split(/\s+/);
    if (key === 'nameserver' && fields[0]) out.servers.push(fields[0]);
    else if (key === 'search') out.searches = fields;
    else if (key === 'options') out.options.push(...fields);
  }
  return out;
}

function hostConfig(path: string): ResolvConfig {
  try {
    return parseResolvConf(readFileSync(path, 'utf8'));
  } catch {
    return { servers: [], searches: [], options: [] };
  }
}

const unique = (xs: string[]) => [...new Set(xs)];

/** Options merge by name ("ndots:2" replaces "ndots:5"); the pod's win. */
function mergeOptions(base: string[], extra: { name?: string; value?: string }[]): string[] {
  const byName = new Map(base.map((o) => [o.split(':')[0]!, o]));
  for (const o of extra) if (o.name) byName.set(o.name, o.value !== undefined && o.value !== null ? `${o.name}:${o.value}` : o.name);
  return [...byName.values()];
}

export function podDnsConfig(pod: Pod, settings: DnsSettings): ResolvConfig {
  const spec = pod.spec;
  let policy = spec?.dnsPolicy || 'ClusterFirst';
  if (spec?.hostNetwork && policy === 'ClusterFirst') policy = 'Default';
  if (policy === 'ClusterFirstWithHostNet') policy = 'ClusterFirst';
  if (policy === 'ClusterFirst' && settings.clusterDNS.length === 0) policy = 'Default';
  const host = hostConfig(settings.resolvConf ?? '/etc/resolv.conf');
  let cfg: ResolvConfig;
  if (policy === 'None') cfg = { servers: [], searches: [], options: [] };
  else if (policy === 'Default') cfg = host;
  else {
    const d = settings.clusterDomain;
    const ns = pod.metadata?.namespace ?? 'default';
    cfg = { servers: [...settings.clusterDNS], searches: [`${ns}.svc.${d}`, `svc.${d}`, d, ...host.searches], options: ['ndots:5'] };
  }
  const extra = spec?.dnsConfig;
  if (extra) {
    cfg = {
      servers: unique([...cfg.servers, ...(extra.nameservers ?? [])]),
      searches: unique([...cfg.searches, ...(extra.searches ?? [])]),
      options: mergeOptions(cfg.options, extra.options ?? []),
    };
  }
  return { servers: cfg.servers.slice(0, MAX_NAMESERVERS), searches: unique(cfg.searches).slice(0, MAX_SEARCH_DOMAINS), options: cfg.options };
}
