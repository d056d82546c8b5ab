// A scheduler Handle for DefaultPreemption tests against the real API server: fixed NodeInfos
// as the snapshot, and a filter that admits a pod where its cpu request fits (the tests' nodes
// differ in cpu only).
import type { Pod } from 'kubernetes-types/core/v1.js';
import pino from 'pino';
import type { Client } from '../../../src/client/rest/client.js';
import type { newControllerContext } from '../../../src/controllers/context.js';
import type { CycleState } from '../../../src/scheduler/framework/cycle-state.js';
import type { NodeInfo } from '../../../src/scheduler/framework/node-info.js';
import { podRequests } from '../../../src/scheduler/framework/resource.js';
import { Status } from '../../../src/scheduler/framework/status.js';
import type { Handle, NodeInfoLister } from '../../../src/scheduler/framework/types.js';

export const fitsByCpu = (p: Pod, info: NodeInfo) => (info.requested.milliCPU + podRequests(p).milliCPU <= info.allocatable.milliCPU ? null : Status.unschedulable('Insufficient cpu'));

/** The handle; `overrides` replace its members (another client, a nominator with nominations, an activate that records). */
export function preemptionHandle(infos: NodeInfo[], client: Client, ctx: ReturnType<typeof newControllerContext>, overrides: Partial<Handle> = {}): Handle {
  const lister: NodeInfoLister = { list: () => infos, get: (n) => infos.find((i) => i.name === n), havePodsWithAffinityList: () => [], havePodsWithRequiredAntiAffinityList: () => [] };
  return {
    client,
    informers: ctx.informers,
    log: pino({ level: 'silent' }),
    recorder: ctx.eventsRecorder('default-scheduler'),
    snapshotSharedLister: () => lister,
    nominator: { nominatedPodsForNode: () => [], addNominatedPod() {}, deleteNominatedPodIfExists() {} },
    runFilterPluginsWithNominatedPods: (_s: CycleState, p: Pod, info: NodeInfo) => fitsByCpu(p, info),
    runPreFilterExtensionAddPod: () => null,
    runPreFilterExtensionRemovePod: () => null,
    getWaitingPod: () => undefined,
    activate() {},
    extenders: [],
    ...overrides,
  } as unknown as Handle;
}
