// DefaultBinder (upstream plugins/defaultbinder): binds through POST pods/NAME/binding, carrying
// the pod's UID so the API server refuses to bind a different pod that reuses the name.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { resources } from '../../../client/rest/builtin-resources.js';
import type { CycleState } from '../../framework/cycle-state.js';
import { Status, type MaybeStatus } from '../../framework/status.js';
import type { BindPlugin, Handle, PluginFactory } from '../../framework/types.js';

export const NAME = 'DefaultBinder';

export class DefaultBinderPlugin implements BindPlugin {
  readonly name = NAME;

  constructor(private readonly handle: Handle) {}

  async bind(_state: CycleState, pod: Pod, nodeName: string): Promise<MaybeStatus> {
    const namespace = pod.metadata?.namespace ?? 'default';
    const name = pod.metadata?.name ?? '';
    if (this.handle.log.isLevelEnabled('debug')) this.handle.log.debug({ pod: `${namespace}/${name}`, node: nodeName }, 'Attempting to bind pod to node');
    try {
      await this.handle.client
        .resource(resources.pods)
        .bind(name, { metadata: { namespace, name, uid: pod.metadata?.uid }, target: { kind: 'Node', name: nodeName } }, { namespace });
      return undefined;
    } catch (e) {
      return Status.error(e);
    }
  }
}

export const factory: PluginFactory = (_args, handle) => new DefaultBinderPlugin(handle);
