// DefaultBinder (upstream plugins/defaultbinder): binds through POST pods/NAME/binding, carrying
// the pod's UID so the API server refuses to bind a different pod that reuses the name.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../../api/object.js';
import { resources } from '../../../client/rest/builtin-resources.js';
import type { ResourceClient } from '../../../client/rest/resource-client.js';
import type { CycleState } from '../../framework/cycle-state.js';
import { Status, type MaybeStatus } from '../../framework/status.js';
import type { BindPlugin, Handle, PluginFactory } from '../../framework/types.js';

export const NAME = 'DefaultBinder';

const bound = (): MaybeStatus => undefined;
const failed = (e: unknown): MaybeStatus => Status.error(e);

export class DefaultBinderPlugin implements BindPlugin {
  readonly name = NAME;
  private pods: ResourceClient<Pod & KubeObject> | undefined;

  constructor(private readonly handle: Handle) {}

  /** Not async: a bind in flight holds no frame of its own here, just the request's promise. */
  bind(_state: CycleState, pod: Pod, nodeName: string): Promise<MaybeStatus> {
    const namespace = pod.metadata?.namespace ?? 'default';
    const name = pod.metadata?.name ?? '';
    if (this.handle.log.isLevelEnabled('debug')) this.handle.log.debug({ pod: `${namespace}/${name}`, node: nodeName }, 'Attempting to bind pod to node');
    this.pods ??= this.handle.client.resource(resources.pods);
    return this.pods.bind(name, { metadata: { namespace, name, uid: pod.metadata?.uid }, target: { kind: 'Node', name: nodeName } }, { namespace }).then(bound, failed);
  }
}

export const factory: PluginFactory = (_args, handle) => new DefaultBinderPlugin(handle);
