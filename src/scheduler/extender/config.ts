// An extender's configuration, as the `extenders:` entries of KubeSchedulerConfiguration
// (upstream config.Extender, same field names), and the defaults applied to it.
import { parseGoDuration as parseDuration } from '../../api/duration.js';

export interface ExtenderTLSConfig {
  /** Skip verification of the extender's certificate. */
  insecure?: boolean;
  /** Name to verify the certificate against (SNI), when not the URL's host. */
  serverName?: string;
  certFile?: string;
  keyFile?: string;
  caFile?: string;
  /** PEM, or base64 of PEM as Go's []byte fields appear in JSON/YAML. Take precedence over the files. */
  certData?: string;
  keyData?: string;
  caData?: string;
}

export interface ExtenderManagedResource {
  name: string;
  /** The scheduler's NodeResourcesFit ignores this resource (the extender accounts for it). */
  ignoredByScheduler?: boolean;
}

export interface ExtenderConfig {
  /** e.g. "http://127.0.0.1:8888/scheduler"; a verb is appended as "/<verb>". */
  urlPrefix: string;
  filterVerb?: string;
  preemptVerb?: string;
  prioritizeVerb?: string;
  bindVerb?: string;
  /** Multiplier of the extender's priorities (which range 0–10). */
  weight?: number;
  enableHTTPS?: boolean;
  tlsConfig?: ExtenderTLSConfig;
  /** Go duration ("30s", "1m", "500ms") or milliseconds. Default 5s (upstream DefaultExtenderTimeout). */
  httpTimeout?: string | number;
  /** The extender keeps its own node cache: send NodeNames, not whole Nodes. */
  nodeCacheCapable?: boolean;
  /** Only pods requesting one of these resources are sent to the extender; empty = every pod. */
  managedResources?: ExtenderManagedResource[];
  /** An unreachable or failing extender is skipped instead of failing the pod's scheduling. */
  ignorable?: boolean;
}

/** Upstream DefaultExtenderTimeout. */
export const DEFAULT_EXTENDER_TIMEOUT_MS = 5000;

/** Parses a Go duration ("1m30s", "250ms", "2h") into milliseconds; throws on anything else. */
export function parseGoDuration(text: string): number {
  const ms = parseDuration(text.trim());
  if (ms === undefined) throw new Error(`invalid duration ${JSON.stringify(text)}`);
  return ms;
}

/** The timeout in ms: 0 or absent means the default. */
export function extenderTimeoutMs(config: ExtenderConfig): number {
  const t = config.httpTimeout;
  const ms = typeof t === 'number' ? t : t ? parseGoDuration(t) : 0;
  return ms > 0 ? ms : DEFAULT_EXTENDER_TIMEOUT_MS;
}
