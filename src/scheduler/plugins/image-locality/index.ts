// ImageLocality (upstream plugins/imagelocality): prefer nodes that already hold the pod's images.
// A node's raw sum is the size of each present image scaled by its spread (nodes having it /
// all nodes), so a popular image does not pull every pod onto the same few nodes; the sum is
// clamped to [23 MB, 1000 MB × containers] and mapped linearly to 0–100. Init containers count.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { CycleState } from '../../framework/cycle-state.js';
import type { NodeInfo } from '../../framework/node-info.js';
import { Status, type MaybeStatus } from '../../framework/status.js';
import { MAX_NODE_SCORE, type Handle, type PluginFactory, type PreScorePlugin, type ScorePlugin } from '../../framework/types.js';
import { imageNameCandidates } from './image-names.js';

export const NAME = 'ImageLocality';
const PRE_SCORE_KEY = `PreScore${NAME}`;

const MB = 1024 * 1024;
export const MIN_THRESHOLD = 23 * MB;
export const MAX_CONTAINER_THRESHOLD = 1000 * MB;

interface PreScoreState {
  /** Per container (init and regular): the names to look the image up under. */
  images: string[][];
  totalNumNodes: number;
}

/** Upstream calculatePriority: clamp and scale to [0, MAX_NODE_SCORE] (integer division). */
export function calculatePriority(sumScores: number, numContainers: number): number {
  const maxThreshold = MAX_CONTAINER_THRESHOLD * numContainers;
  const s = Math.min(Math.max(sumScores, MIN_THRESHOLD), maxThreshold);
  if (maxThreshold <= MIN_THRESHOLD) return 0;
  return Math.trunc((MAX_NODE_SCORE * (s - MIN_THRESHOLD)) / (maxThreshold - MIN_THRESHOLD));
}

export class ImageLocalityPlugin implements PreScorePlugin, ScorePlugin {
  readonly name = NAME;

  constructor(private readonly handle: Handle) {}

  private stateFor(pod: Pod): PreScoreState {
    const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
    return { images: containers.map((c) => imageNameCandidates(c.image ?? '')), totalNumNodes: this.handle.snapshotSharedLister().list().length };
  }

  preScore(state: CycleState, pod: Pod, nodes?: NodeInfo[]): MaybeStatus {
    // No candidate node reports any image (nodes without a kubelet, or before its first status):
    // every score would be 0, so Score is skipped (the totals are the same).
    const withImages = this.handle.snapshotSharedLister().numNodesWithImages?.();
    if (withImages === 0 || (withImages === undefined && nodes && !nodes.some((n) => n.imageStates.size > 0))) return Status.skip();
    state.write(PRE_SCORE_KEY, this.stateFor(pod));
    return undefined;
  }

  score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): number {
    const s = state.read<PreScoreState>(PRE_SCORE_KEY) ?? this.stateFor(pod);
    let sum = 0;
    if (nodeInfo.imageStates.size > 0 && s.totalNumNodes > 0) {
      for (const names of s.images) {
        for (const n of names) {
          const image = nodeInfo.imageStates.get(n);
          if (!image) continue;
          // Upstream: int64(float64(size) * spread).
          sum += Math.trunc(image.sizeBytes * (image.numNodes / s.totalNumNodes));
          break;
        }
      }
    }
    return calculatePriority(sum, s.images.length);
  }

  scoreExtensions(): undefined {
    return undefined;
  }
}

export const factory: PluginFactory = (_args, handle) => new ImageLocalityPlugin(handle);
export { normalizedImageName, fullyQualifiedImageName, familiarImageName, imageNameCandidates } from './image-names.js';
