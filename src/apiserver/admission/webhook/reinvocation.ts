// Which mutating webhooks are called again when the mutating phase is reinvoked (upstream's
// mutating/reinvocationcontext.go). A webhook with reinvocationPolicy IfNeeded that was called
// is "previously invoked" until something changes the object after it: then it is due for
// reinvocation. Something is a later webhook's patch, or — found at the start of the second run —
// a built-in plugin's change since the webhooks last ran. Webhooks are named by their uid
// (`<configuration>/<webhook>/<n>`, n counting webhooks of the same name in the configuration).
import { isDeepStrictEqual } from 'node:util';
import { copyJson } from '../../../api/json-copy.js';
import type { KubeObject } from '../../../api/object.js';

export class WebhookReinvocation {
  /** The object as the webhooks left it at the end of the first run (kept only when it matters). */
  private lastOutput: KubeObject | undefined;
  /** IfNeeded webhooks called since the object last changed. */
  private previouslyInvoked = new Set<string>();
  /** IfNeeded webhooks after which the object changed: the ones the second run calls. */
  private readonly due = new Set<string>();

  shouldReinvoke(uid: string): boolean {
    return this.due.has(uid);
  }

  /** An IfNeeded webhook was called (whatever it answered). */
  invoked(uid: string): void {
    this.previouslyInvoked.add(uid);
  }

  /** The object changed: every IfNeeded webhook called before the change is due. */
  changed(): void {
    for (const uid of this.previouslyInvoked) this.due.add(uid);
    this.previouslyInvoked = new Set();
  }

  /**
   * The end of a run of the webhooks. Only the webhooks called since the last change could be
   * made due by a built-in plugin's change before the second run, so the object is copied only
   * when there are such webhooks (upstream copies it every time).
   */
  finished(obj: KubeObject | undefined): void {
    this.lastOutput = obj && this.previouslyInvoked.size ? copyJson(obj) : undefined;
  }

  /** At the start of the second run: the built-in plugins changed the object since the webhooks ran. */
  changedSinceLastRun(obj: KubeObject | undefined): boolean {
    return this.lastOutput !== undefined && !isDeepStrictEqual(this.lastOutput, obj);
  }
}
