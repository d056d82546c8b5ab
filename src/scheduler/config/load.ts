// Reads a KubeSchedulerConfiguration (YAML or JSON, kubescheduler.config.k8s.io/v1), applies
// upstream's defaults (the default profile's plugins merged with the user's), and validates it.
// Every problem is reported with its field path, as upstream's field errors
// ("profiles[1].schedulerName: Duplicate value: \"x\"").
import { parse } from 'yaml';
import { parseGoDuration } from '../extender/config.js';
import { defaultConfiguration, DEFAULT_SCHEDULER_NAME, defaultPlugins, mergePlugins, UNIMPLEMENTED_DEFAULT_PLUGINS, emptyPlugins } from './defaults.js';
import { EXTENSION_POINTS, type ExtenderConfig, type PluginConfig, type PluginRef, type PluginSet, type Plugins, type Profile, type SchedulerConfiguration } from './types.js';

export const SCHEDULER_CONFIG_API_VERSION = 'kubescheduler.config.k8s.io/v1';

export class SchedulerConfigError extends Error {
  constructor(readonly fieldErrors: string[]) {
    super(`invalid scheduler configuration: ${fieldErrors.join('; ')}`);
    this.name = 'SchedulerConfigError';
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses and validates a configuration file's text. `known` says which plugin names exist. */
export function loadSchedulerConfig(text: string, known: (name: string) => boolean): SchedulerConfiguration {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new SchedulerConfigError([`cannot parse: ${(err as Error).message}`]);
  }
  return schedulerConfigFrom(doc ?? {}, known);
}

/** Defaults and validates an already-parsed configuration object. */
export function schedulerConfigFrom(doc: unknown, known: (name: string) => boolean): SchedulerConfiguration {
  const errs: string[] = [];
  if (!isObj(doc)) throw new SchedulerConfigError(['<root>: Invalid value: must be an object']);
  if (doc.apiVersion !== undefined && doc.apiVersion !== SCHEDULER_CONFIG_API_VERSION) {
    errs.push(`apiVersion: Unsupported value: ${JSON.stringify(doc.apiVersion)}: supported values: "${SCHEDULER_CONFIG_API_VERSION}"`);
  }
  if (doc.kind !== undefined && doc.kind !== 'KubeSchedulerConfiguration') errs.push(`kind: Unsupported value: ${JSON.stringify(doc.kind)}: supported values: "KubeSchedulerConfiguration"`);
  unknownFields(doc, '', ['apiVersion', 'kind', 'percentageOfNodesToScore', 'podInitialBackoffSeconds', 'podMaxBackoffSeconds', 'profiles', 'extenders', 'parallelism', 'leaderElection', 'clientConnection', 'healthzBindAddress', 'metricsBindAddress', 'enableProfiling', 'enableContentionProfiling', 'delayCacheUntilActive'], errs);
  const cfg = defaultConfiguration(known);
  cfg.percentageOfNodesToScore = percentage(doc.percentageOfNodesToScore, 'percentageOfNodesToScore', errs) ?? 0;
  cfg.podInitialBackoffSeconds = positiveInt(doc.podInitialBackoffSeconds, 'podInitialBackoffSeconds', errs) ?? 1;
  cfg.podMaxBackoffSeconds = positiveInt(doc.podMaxBackoffSeconds, 'podMaxBackoffSeconds', errs) ?? 10;
  if (cfg.podMaxBackoffSeconds < cfg.podInitialBackoffSeconds) {
    errs.push(`podMaxBackoffSeconds: Invalid value: ${cfg.podMaxBackoffSeconds}: must be greater than or equal to PodInitialBackoffSeconds`);
  }
  if (doc.profiles !== undefined) {
    if (!Array.isArray(doc.profiles)) errs.push('profiles: Invalid value: must be a list');
    else if (doc.profiles.length) {
      const list: unknown[] = doc.profiles;
      cfg.profiles = list.map((p, i) => profileFrom(p, `profiles[${i}]`, known, errs, list.length === 1));
    }
  }
  const names = new Set<string>();
  cfg.profiles.forEach((p, i) => {
    if (!p.schedulerName) errs.push(`profiles[${i}].schedulerName: Required value`);
    else if (names.has(p.schedulerName)) errs.push(`profiles[${i}].schedulerName: Duplicate value: ${JSON.stringify(p.schedulerName)}`);
    names.add(p.schedulerName);
  });
  // One queue serves every profile, so they must sort it the same way.
  const qs = (p: Profile) => JSON.stringify(p.plugins.queueSort);
  cfg.profiles.forEach((p, i) => {
    if (i > 0 && qs(p) !== qs(cfg.profiles[0])) errs.push(`profiles[${i}].plugins.queueSort: Invalid value: queueSort must be the same for all profiles`);
  });
  if (doc.extenders !== undefined) {
    if (!Array.isArray(doc.extenders)) errs.push('extenders: Invalid value: must be a list');
    else cfg.extenders = doc.extenders.map((e, i) => extenderFrom(e, `extenders[${i}]`, errs));
  }
  const binders = cfg.extenders.filter((e) => e.bindVerb).length;
  if (binders > 1) errs.push(`extenders: Invalid value: found ${binders} extenders implementing bind: only one extender can implement bind`);
  if (errs.length) throw new SchedulerConfigError(errs);
  return cfg;
}

/** Upstream decodes strictly: a misspelt field is an error, not silently ignored. */
function unknownFields(obj: Obj, path: string, allowed: string[], errs: string[]): void {
  for (const k of Object.keys(obj)) if (!allowed.includes(k)) errs.push(`${path}${path ? '.' : ''}${k}: Invalid value: unknown field ${JSON.stringify(k)}`);
}

function percentage(v: unknown, path: string, errs: string[]): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 100) {
    errs.push(`${path}: Invalid value: ${JSON.stringify(v)}: not in valid range [0-100]`);
    return undefined;
  }
  return v;
}

function positiveInt(v: unknown, path: string, errs: string[]): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    errs.push(`${path}: Invalid value: ${JSON.stringify(v)}: must be greater than 0`);
    return undefined;
  }
  return v;
}

function profileFrom(raw: unknown, path: string, known: (name: string) => boolean, errs: string[], only: boolean): Profile {
  if (!isObj(raw)) {
    errs.push(`${path}: Invalid value: must be an object`);
    return { schedulerName: '', plugins: emptyPlugins(), pluginConfig: [] };
  }
  unknownFields(raw, path, ['schedulerName', 'percentageOfNodesToScore', 'plugins', 'pluginConfig'], errs);
  let schedulerName = raw.schedulerName;
  if (schedulerName === undefined && only) schedulerName = DEFAULT_SCHEDULER_NAME;
  if (schedulerName !== undefined && typeof schedulerName !== 'string') {
    errs.push(`${path}.schedulerName: Invalid value: must be a string`);
    schedulerName = '';
  }
  const custom = pluginsFrom(raw.plugins, `${path}.plugins`, known, errs);
  const plugins = mergePlugins(defaultPlugins(known), custom);
  const pluginConfig = pluginConfigFrom(raw.pluginConfig, `${path}.pluginConfig`, errs);
  const profile: Profile = { schedulerName: (schedulerName as string | undefined) ?? '', plugins, pluginConfig };
  const pct = percentage(raw.percentageOfNodesToScore, `${path}.percentageOfNodesToScore`, errs);
  if (pct !== undefined) profile.percentageOfNodesToScore = pct;
  return profile;
}

function pluginsFrom(raw: unknown, path: string, known: (name: string) => boolean, errs: string[]): Partial<Plugins> | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isObj(raw)) {
    errs.push(`${path}: Invalid value: must be an object`);
    return undefined;
  }
  const out: Partial<Plugins> = {};
  for (const key of Object.keys(raw)) {
    if (key !== 'multiPoint' && !(EXTENSION_POINTS as readonly string[]).includes(key)) errs.push(`${path}.${key}: Invalid value: unknown extension point`);
  }
  for (const key of ['multiPoint', ...EXTENSION_POINTS] as const) {
    if (raw[key] === undefined) continue;
    out[key] = pluginSetFrom(raw[key], `${path}.${key}`, known, errs, key === 'score' || key === 'multiPoint');
  }
  return out;
}

function pluginSetFrom(raw: unknown, path: string, known: (name: string) => boolean, errs: string[], weighted: boolean): PluginSet {
  const set: PluginSet = { enabled: [], disabled: [] };
  if (!isObj(raw)) {
    errs.push(`${path}: Invalid value: must be an object`);
    return set;
  }
  for (const which of ['enabled', 'disabled'] as const) {
    const list = raw[which];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) {
      errs.push(`${path}.${which}: Invalid value: must be a list`);
      continue;
    }
    list.forEach((p, i) => {
      const at = `${path}.${which}[${i}]`;
      if (!isObj(p) || typeof p.name !== 'string' || !p.name) {
        errs.push(`${at}.name: Required value`);
        return;
      }
      const ref: PluginRef = { name: p.name };
      if (which === 'enabled') {
        if (!known(p.name)) {
          errs.push(`${at}.name: Invalid value: ${JSON.stringify(p.name)}: ${UNIMPLEMENTED_DEFAULT_PLUGINS.has(p.name) ? 'plugin is not available in k8ts' : 'plugin does not exist'}`);
          return;
        }
        if (p.weight !== undefined) {
          if (typeof p.weight !== 'number' || !Number.isInteger(p.weight) || p.weight < 0 || p.weight > 100) errs.push(`${at}.weight: Invalid value: ${JSON.stringify(p.weight)}: must be between 0 and 100`);
          else if (weighted) ref.weight = p.weight;
        }
      }
      set[which].push(ref);
    });
  }
  return set;
}

function pluginConfigFrom(raw: unknown, path: string, errs: string[]): PluginConfig[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    errs.push(`${path}: Invalid value: must be a list`);
    return [];
  }
  const seen = new Set<string>();
  const out: PluginConfig[] = [];
  raw.forEach((pc, i) => {
    if (!isObj(pc) || typeof pc.name !== 'string' || !pc.name) {
      errs.push(`${path}[${i}].name: Required value`);
      return;
    }
    if (seen.has(pc.name)) errs.push(`${path}[${i}].name: Duplicate value: ${JSON.stringify(pc.name)}`);
    seen.add(pc.name);
    if (pc.args !== undefined && pc.args !== null && !isObj(pc.args)) errs.push(`${path}[${i}].args: Invalid value: must be an object`);
    const args = isObj(pc.args) ? { ...pc.args } : undefined;
    // apiVersion/kind of typed args (e.g. NodeResourcesFitArgs) are not plugin settings.
    if (args) {
      delete args.apiVersion;
      delete args.kind;
    }
    out.push({ name: pc.name, args });
  });
  return out;
}

function extenderFrom(raw: unknown, path: string, errs: string[]): ExtenderConfig {
  if (!isObj(raw)) {
    errs.push(`${path}: Invalid value: must be an object`);
    return { urlPrefix: '' };
  }
  unknownFields(raw, path, ['urlPrefix', 'filterVerb', 'preemptVerb', 'prioritizeVerb', 'weight', 'bindVerb', 'enableHTTPS', 'tlsConfig', 'httpTimeout', 'nodeCacheCapable', 'managedResources', 'ignorable'], errs);
  const e = { ...raw } as unknown as ExtenderConfig;
  if (typeof e.urlPrefix !== 'string' || !e.urlPrefix) errs.push(`${path}.urlPrefix: Required value`);
  else {
    try {
      new URL(e.urlPrefix);
    } catch {
      errs.push(`${path}.urlPrefix: Invalid value: ${JSON.stringify(e.urlPrefix)}: not a URL`);
    }
  }
  if (e.weight !== undefined && (typeof e.weight !== 'number' || e.weight < 0)) errs.push(`${path}.weight: Invalid value: ${JSON.stringify(e.weight)}: must have a positive weight applied to it`);
  if (e.prioritizeVerb && !(typeof e.weight === 'number' && e.weight > 0)) {
    errs.push(`${path}.weight: Invalid value: ${JSON.stringify(e.weight ?? 0)}: must have a positive weight applied to it`);
  }
  if (e.httpTimeout !== undefined && typeof e.httpTimeout === 'string') {
    try {
      parseGoDuration(e.httpTimeout);
    } catch {
      errs.push(`${path}.httpTimeout: Invalid value: ${JSON.stringify(e.httpTimeout)}: not a duration`);
    }
  }
  const seen = new Set<string>();
  (e.managedResources ?? []).forEach((r, i) => {
    if (!r?.name) errs.push(`${path}.managedResources[${i}].name: Required value`);
    else if (seen.has(r.name)) errs.push(`${path}.managedResources[${i}].name: Duplicate value: ${JSON.stringify(r.name)}`);
    else seen.add(r.name);
  });
  return e;
}
