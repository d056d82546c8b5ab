// Reads a DeschedulerPolicy (YAML or JSON, descheduler/v1alpha2), applies upstream's defaults
// (v1alpha2 SetDefaults_DeschedulerPolicy: DefaultEvictor enabled at filter and
// preEvictionFilter with default args in every profile; each plugin's args defaulted) and
// validates it as upstream's validateDeschedulerConfiguration and NewProfile do, with their
// messages ("in profile p: plugin X in pluginConfig not registered", "profile \"p\" configures
// deschedule extension point of non-existing plugins: [X]", a plugin's own args errors).
import { parse } from 'yaml';
import { parseLabelSelector } from '../../api/selectors/labels.js';
import type { Registry } from '../plugins/registry.js';
import { EXTENSION_POINTS, POLICY_API_VERSION, POLICY_KIND, type DeschedulerPolicy, type ExtensionPoint, type PluginConfig, type PluginSet, type Profile } from './types.js';
import { NAME as DEFAULT_EVICTOR } from '../plugins/default-evictor/index.js';

export class PolicyError extends Error {
  constructor(readonly errors: string[]) {
    super(errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`);
    this.name = 'PolicyError';
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Go's JSON decoding matches field names case-insensitively: "preevictionfilter" (upstream's tag) and "preEvictionFilter" both work. */
const field = (o: Obj, name: string): unknown => {
  const k = Object.keys(o).find((key) => key.toLowerCase() === name.toLowerCase());
  return k === undefined ? undefined : o[k];
};
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);

export function loadPolicy(text: string, registry: Registry): DeschedulerPolicy {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new PolicyError([`failed decoding descheduler's policy config: ${(err as Error).message}`]);
  }
  return policyFrom(doc ?? {}, registry);
}

function limit(doc: Obj, name: string, errors: string[]): number | undefined {
  const v = field(doc, name);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    errors.push(`${name}: cannot unmarshal ${JSON.stringify(v)} into an unsigned integer`);
    return undefined;
  }
  return v;
}

export function policyFrom(doc: unknown, registry: Registry): DeschedulerPolicy {
  if (!isObj(doc)) throw new PolicyError(['failed decoding descheduler\'s policy config: not an object']);
  const apiVersion = field(doc, 'apiVersion');
  const kind = field(doc, 'kind');
  if (apiVersion !== POLICY_API_VERSION || kind !== POLICY_KIND) throw new PolicyError([`failed decoding descheduler's policy config: no kind "${String(kind ?? '')}" is registered for version "${String(apiVersion ?? '')}"`]);
  const errors: string[] = [];
  const policy: DeschedulerPolicy = {
    profiles: [],
    maxNoOfPodsToEvictPerNode: limit(doc, 'maxNoOfPodsToEvictPerNode', errors),
    maxNoOfPodsToEvictPerNamespace: limit(doc, 'maxNoOfPodsToEvictPerNamespace', errors),
    maxNoOfPodsToEvictTotal: limit(doc, 'maxNoOfPodsToEvictTotal', errors),
  };
  const gp = field(doc, 'gracePeriodSeconds');
  if (gp !== undefined && gp !== null) {
    if (typeof gp !== 'number' || !Number.isInteger(gp) || gp < 0) errors.push('gracePeriodSeconds: must be a non-negative integer');
    else policy.gracePeriodSeconds = gp;
  }
  const ns = field(doc, 'nodeSelector');
  if (typeof ns === 'string' && ns !== '') {
    try {
      parseLabelSelector(ns);
      policy.nodeSelector = ns;
    } catch (err) {
      errors.push(`nodeSelector: ${(err as Error).message}`);
    }
  }
  const profiles = field(doc, 'profiles');
  const names = new Set<string>();
  for (const raw of Array.isArray(profiles) ? profiles : []) {
    if (!isObj(raw)) continue;
    const profile = profileFrom(raw, registry, errors);
    if (names.has(profile.name)) errors.push(`profile "${profile.name}" is defined more than once`);
    names.add(profile.name);
    policy.profiles.push(profile);
  }
  if (errors.length) throw new PolicyError(errors);
  return policy;
}

function profileFrom(raw: Obj, registry: Registry, errors: string[]): Profile {
  const name = typeof field(raw, 'name') === 'string' ? (field(raw, 'name') as string) : '';
  if (!name) errors.push('profile name is required');
  const rawPlugins = isObj(field(raw, 'plugins')) ? (field(raw, 'plugins') as Obj) : {};
  const plugins = {} as Record<ExtensionPoint, PluginSet>;
  for (const ep of EXTENSION_POINTS) {
    const set = isObj(field(rawPlugins, ep)) ? (field(rawPlugins, ep) as Obj) : {};
    const disabled = strings(field(set, 'disabled'));
    let enabled = strings(field(set, 'enabled'));
    // Upstream's default: the DefaultEvictor filters and pre-filters in every profile.
    if ((ep === 'filter' || ep === 'preEvictionFilter') && !enabled.includes(DEFAULT_EVICTOR)) enabled = [DEFAULT_EVICTOR, ...enabled];
    enabled = disabled.includes('*') ? [] : enabled.filter((p) => !disabled.includes(p));
    plugins[ep] = { enabled, disabled };
  }
  const pluginConfig: PluginConfig[] = [];
  for (const pc of Array.isArray(field(raw, 'pluginConfig')) ? (field(raw, 'pluginConfig') as unknown[]) : []) {
    if (!isObj(pc)) continue;
    const pcName = String(field(pc, 'name') ?? '');
    const args = isObj(field(pc, 'args')) ? (field(pc, 'args') as Obj) : {};
    if (!registry.has(pcName)) {
      errors.push(`in profile ${name}: plugin ${pcName} in pluginConfig not registered`);
      continue;
    }
    pluginConfig.push({ name: pcName, args });
  }
  // Every enabled plugin gets a pluginConfig (its default args when the policy gives none).
  for (const ep of EXTENSION_POINTS) {
    for (const p of plugins[ep].enabled) if (registry.has(p) && !pluginConfig.some((c) => c.name === p)) pluginConfig.push({ name: p, args: {} });
  }
  for (const pc of pluginConfig) {
    const d = registry.get(pc.name)!;
    pc.args = d.defaults(pc.args) as Record<string, unknown>;
    const err = d.validate(pc.args);
    if (err) errors.push(`in profile ${name}: ${err}`);
  }
  // NewProfile: every enabled plugin must exist and implement the extension point.
  for (const ep of EXTENSION_POINTS) {
    const missing = plugins[ep].enabled.filter((p) => !registry.get(p)?.extensionPoints.includes(ep));
    if (missing.length) errors.push(`profile "${name}" configures ${ep === 'preEvictionFilter' ? 'preEvictionFilter' : ep} extension point of non-existing plugins: [${missing.join(' ')}]`);
  }
  return { name, pluginConfig, plugins };
}
