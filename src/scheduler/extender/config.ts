// An extender's configuration, as the `extenders:` entries of KubeSchedulerConfiguration
// (upstream config.Extender, same field names), and the defaults applied to it.

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

const UNITS_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses a Go duration ("1m30s", "250ms", "2h") into milliseconds; throws on anything else. */
export function parseGoDuration(text: string): number {
  const s = text.trim();
  if (s === '0') return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let pos = 0;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    sign = s.startsWith('-') ? -1 : 1;
    pos = 1;
  }
  if (pos >= s.length) throw new Error(`invalid duration ${JSON.stringify(text)}`);
  re.lastIndex = pos;
  while (pos < s.length) {
    const m = re.exec(s);
    if (!m || m.index !== pos) throw new Error(`invalid duration ${JSON.stringify(text)}`);
    total += Number(m[1]) * UNITS_MS[m[2]!]!;
    pos = re.lastIndex;
  }
  return sign * total;
}

/** The timeout in ms: 0 or absent means the default. */
export function extenderTimeoutMs(config: ExtenderConfig): number {
  const t = config.httpTimeout;
  const ms = typeof t === 'number' ? t : t ? parseGoDuration(t) : 0;
  return ms > 0 ? ms : DEFAULT_EXTENDER_TIMEOUT_MS;
}
