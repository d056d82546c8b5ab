// NodeResourcesFitArgs (upstream config.NodeResourcesFitArgs, v1 defaults and validation): which
// extended resources Filter ignores, and how Score ranks nodes. Args arrive as plain YAML/JSON
// from the pluginConfig entry; parse() applies upstream's defaults and throws on invalid values.

/** A resource and its weight in scoring (upstream config.ResourceSpec). */
export interface ResourceSpec {
  name: string;
  weight: number;
}

export interface UtilizationShapePoint {
  /** 0..100 (percent of capacity requested). */
  utilization: number;
  /** 0..10 (upstream MaxCustomPriorityScore); scaled to 0..100 when scoring. */
  score: number;
}

export type ScoringStrategyType = 'LeastAllocated' | 'MostAllocated' | 'RequestedToCapacityRatio';

export interface ScoringStrategy {
  type: ScoringStrategyType;
  resources: ResourceSpec[];
  requestedToCapacityRatio?: { shape: UtilizationShapePoint[] };
}

export interface FitArgs {
  ignoredResources: string[];
  ignoredResourceGroups: string[];
  scoringStrategy: ScoringStrategy;
}

export const MAX_CUSTOM_PRIORITY_SCORE = 10;
const MAX_UTILIZATION = 100;
const strategies: ScoringStrategyType[] = ['LeastAllocated', 'MostAllocated', 'RequestedToCapacityRatio'];

/** Upstream's default: cpu and memory, weight 1 each. */
export const defaultResources = (): ResourceSpec[] => [
  { name: 'cpu', weight: 1 },
  { name: 'memory', weight: 1 },
];

const asObject = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {});
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Resource specs with upstream's defaults (absent list → cpu+memory; weight 0/absent → 1). */
export function parseResources(v: unknown, path: string): ResourceSpec[] {
  const list = asArray(v);
  if (list.length === 0) return defaultResources();
  return list.map((r, i) => {
    const o = asObject(r);
    const name = String(o.name ?? '');
    const weight = o.weight === undefined || o.weight === 0 ? 1 : Number(o.weight);
    if (!name) throw new Error(`${path}[${i}].name: Required value`);
    if (!Number.isInteger(weight) || weight < 1 || weight > 100) {
      throw new Error(`${path}[${i}].weight: Invalid value: ${weight}: resource weight of ${name} not in valid range [1, 100]`);
    }
    return { name, weight };
  });
}

function parseShape(v: unknown, path: string): UtilizationShapePoint[] {
  const list = asArray(v);
  if (list.length === 0) throw new Error(`${path}: Required value: at least one point must be specified`);
  const points = list.map((p, i) => {
    const o = asObject(p);
    const utilization = Number(o.utilization ?? 0);
    const score = Number(o.score ?? 0);
    if (!Number.isInteger(utilization) || utilization < 0 || utilization > MAX_UTILIZATION) {
      throw new Error(`${path}[${i}].utilization: Invalid value: ${utilization}: not in valid range [0, ${MAX_UTILIZATION}]`);
    }
    if (!Number.isInteger(score) || score < 0 || score > MAX_CUSTOM_PRIORITY_SCORE) {
      throw new Error(`${path}[${i}].score: Invalid value: ${score}: not in valid range [0, ${MAX_CUSTOM_PRIORITY_SCORE}]`);
    }
    return { utilization, score };
  });
  for (let i = 1; i < points.length; i++) {
    if (points[i]!.utilization <= points[i - 1]!.utilization) {
      throw new Error(`${path}[${i}].utilization: Invalid value: ${points[i]!.utilization}: utilization values must be sorted in increasing order`);
    }
  }
  return points;
}

export function parseFitArgs(raw: Record<string, unknown> | undefined): FitArgs {
  const o = asObject(raw);
  const ignoredResources = asArray(o.ignoredResources).map(String);
  const ignoredResourceGroups = asArray(o.ignoredResourceGroups).map(String);
  ignoredResourceGroups.forEach((g, i) => {
    if (g.includes('/')) throw new Error(`ignoredResourceGroups[${i}]: Invalid value: ${JSON.stringify(g)}: resource group name can't contain '/'`);
  });
  const s = asObject(o.scoringStrategy);
  const type = (s.type ?? 'LeastAllocated') as ScoringStrategyType;
  if (!strategies.includes(type)) {
    throw new Error(`scoringStrategy.type: Unsupported value: ${JSON.stringify(type)}: supported values: ${strategies.map((x) => JSON.stringify(x)).join(', ')}`);
  }
  const scoringStrategy: ScoringStrategy = { type, resources: parseResources(s.resources, 'scoringStrategy.resources') };
  if (type === 'RequestedToCapacityRatio') {
    const shape = parseShape(asObject(s.requestedToCapacityRatio).shape, 'scoringStrategy.requestedToCapacityRatio.shape');
    scoringStrategy.requestedToCapacityRatio = { shape };
  }
  return { ignoredResources, ignoredResourceGroups, scoringStrategy };
}
