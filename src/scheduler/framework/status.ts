// The result of running a plugin at one extension point, as upstream's framework.Status: a code,
// the reasons (shown in FailedScheduling messages and counted per node), and the plugin that
// produced it. A null/undefined status means Success, so plugins return nothing on the hot path.

export enum Code {
  Success = 'Success',
  /** An internal error: the pod goes to the backoff queue, not to unschedulable. */
  Error = 'Error',
  /** The node does not fit now; preemption may help (removing pods could make it fit). */
  Unschedulable = 'Unschedulable',
  /** The node does not fit and preemption cannot help (e.g. node selector mismatch). */
  UnschedulableAndUnresolvable = 'UnschedulableAndUnresolvable',
  /** Permit only: hold the pod until allowed or rejected. */
  Wait = 'Wait',
  /** PreFilter/PreScore: this plugin has nothing to do for this pod; skip its Filter/Score. */
  Skip = 'Skip',
  /** PreEnqueue or a plugin waiting on something outside the scheduler (e.g. scheduling gates). */
  Pending = 'Pending',
}

export class Status {
  constructor(
    readonly code: Code,
    readonly reasons: string[] = [],
    /** The plugin that failed; set by the framework runtime when a plugin returns a status. */
    public plugin = '',
    readonly error?: Error,
  ) {}

  isSuccess(): boolean {
    return this.code === Code.Success;
  }

  isRejected(): boolean {
    return this.code === Code.Unschedulable || this.code === Code.UnschedulableAndUnresolvable || this.code === Code.Pending;
  }

  message(): string {
    return this.reasons.join(', ');
  }

  withPlugin(plugin: string): Status {
    this.plugin ||= plugin;
    return this;
  }

  static success(): Status {
    return new Status(Code.Success);
  }

  static unschedulable(...reasons: string[]): Status {
    return new Status(Code.Unschedulable, reasons);
  }

  static unresolvable(...reasons: string[]): Status {
    return new Status(Code.UnschedulableAndUnresolvable, reasons);
  }

  static error(err: unknown): Status {
    const e = err instanceof Error ? err : new Error(String(err));
    return new Status(Code.Error, [e.message], '', e);
  }

  static skip(): Status {
    return new Status(Code.Skip);
  }

  /**
   * One frozen status for a rejection whose reasons never vary, returned for every node it
   * applies to: Filter rejects thousands of nodes per pod and each status is kept in the
   * diagnosis, so a new object per node is garbage a cycle later. The plugin is set here (the
   * runtime does not write a frozen status; it copies one returned under another name).
   */
  static shared(code: Code.Unschedulable | Code.UnschedulableAndUnresolvable, reason: string, plugin: string): Status {
    return Object.freeze(new Status(code, Object.freeze([reason]) as string[], plugin));
  }
}

/** What plugins return: nothing (or null) means Success. */
export type MaybeStatus = Status | null | undefined | void;

export function isSuccess(s: MaybeStatus): boolean {
  return !s || s.code === Code.Success;
}
