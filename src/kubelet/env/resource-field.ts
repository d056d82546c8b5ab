// resourceFieldRef values (upstream pkg/api/v1/resource ExtractContainerResourceValue), shared by
// env vars and downwardAPI volumes. Limits a container does not set default to the node's
// allocatable, as the kubelet's defaultPodLimitsForDownwardAPI does.
import type { Container, ResourceFieldSelector } from 'kubernetes-types/core/v1.js';
import { parseQuantity, toMilli, toValue } from '../../api/validation/quantity.js';

type Quantities = Record<string, string | number>;

/** limits.cpu, limits.memory, limits.ephemeral-storage (and their requests), with hugepages-*. */
export function containerResourceValue(sel: ResourceFieldSelector, container: Container, nodeAllocatable?: Quantities): string {
  const divisorText = sel.divisor === undefined ? '' : String(sel.divisor);
  const divisor = divisorText === '' || isZero(divisorText) ? '1' : divisorText;
  const [kind, name] = splitResource(sel.resource);
  if (!kind || !name) throw new Error(`unsupported container resource : ${sel.resource}`);
  const set = (kind === 'limits' ? container.resources?.limits : container.resources?.requests) as Quantities | undefined;
  let value = set?.[name];
  if (value === undefined && kind === 'limits' && ['cpu', 'memory', 'ephemeral-storage'].includes(name)) value = nodeAllocatable?.[name];
  const q = value === undefined ? '0' : String(value);
  if (name === 'cpu') return String(Math.ceil(toMilli(q) / toMilli(divisor)));
  if (name === 'memory' || name === 'ephemeral-storage' || name.startsWith('hugepages-')) {
    return String(Math.ceil(toValue(q) / toValue(divisor)));
  }
  throw new Error(`unsupported container resource : ${sel.resource}`);
}

function splitResource(resource: string): [string | undefined, string | undefined] {
  const dot = resource.indexOf('.');
  if (dot < 0) return [undefined, undefined];
  const kind = resource.slice(0, dot);
  return kind === 'limits' || kind === 'requests' ? [kind, resource.slice(dot + 1)] : [undefined, undefined];
}

function isZero(q: string): boolean {
  try {
    return parseQuantity(q).unscaled === 0n;
  } catch {
    return false;
  }
}
