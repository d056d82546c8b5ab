// The checks after a restart, as pure functions of what the clients recorded before the kill and
// what the restarted server shows. Each returns problems as sentences (empty: all good), so the
// test can assert on them and the benchmark can count them.
import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { Belief, OpRecord } from './writer.js';
import type { SeenEvent, SeenObject } from './watcher.js';

/** A short fingerprint of a configmap's data, to compare contents without keeping them. */
export function fingerprint(data: Record<string, string> | undefined): string {
  if (!data) return 'none';
  const h = createHash('sha1');
  for (const k of Object.keys(data).sort()) h.update(`${k}\u0000${data[k]}\u0000`);
  return h.digest('hex');
}

/** Applying the resumed watch to the watcher's pre-kill state must give exactly the LIST. */
export function compareWatchWithList(watched: Map<string, SeenObject>, listed: Map<string, SeenObject>): string[] {
  const problems: string[] = [];
  for (const [name, obj] of listed) {
    const w = watched.get(name);
    if (!w) problems.push(`${name} (rv ${obj.rv}) is listed but the resumed watch never delivered it`);
    else if (!isDeepStrictEqual(w.object, obj.object)) problems.push(`${name}: watch has rv ${w.rv} (op ${w.data?.op}), list has rv ${obj.rv} (op ${obj.data?.op})`);
  }
  for (const [name, w] of watched) {
    if (!listed.has(name)) problems.push(`${name} (rv ${w.rv}) is in the watcher's state but not listed (a DELETED was missed)`);
  }
  return problems;
}

export interface RoundCheckInput {
  /** Every op of the round, all writers. */
  ops: OpRecord[];
  /** Beliefs after the round (moved only by 2xx answers); updated in place to what is observed. */
  beliefs: Map<string, Belief>;
  /** Every name a writer owns. */
  writerNames: Set<string>;
  /** Fingerprint of every op's data, across rounds (a belief may point at an older round's op). */
  fingerprints: Map<string, string>;
  /** A fresh LIST after the restart. */
  listed: Map<string, SeenObject>;
  /** Every watch event received, pre-kill and resumed, by revision. */
  events: Map<number, SeenEvent>;
  eventByOp: Map<string, number>;
  /**
   * Every event up to this revision was received. Infinity when the resumed watch closed the gap;
   * the watcher's last pre-kill revision when it could not resume (then later 2xx writes are only
   * checked against the final state).
   */
  historyThrough: number;
  /** Names that are neither writers' nor a problem (sentinels). */
  isExtra: (name: string) => boolean;
}

export interface RoundCheck {
  problems: string[];
  acked: number;
  refused: number;
  unanswered: number;
  /** Unanswered requests that turned out to be applied. */
  unansweredApplied: number;
  /** 2xx writes confirmed by an event carrying exactly their content at their revision. */
  verified: number;
}

export function checkRound(input: RoundCheckInput): RoundCheck {
  const { ops, beliefs, listed, events, eventByOp, fingerprints } = input;
  const problems: string[] = [];
  let acked = 0;
  let refused = 0;
  let unanswered = 0;
  let unansweredApplied = 0;
  let verified = 0;
  const byName = eventsByName(events);
  const firstEventAfter = (name: string, rv: number): SeenEvent | undefined => byName.get(name)?.find((e) => e.rv > rv);

  // 1. What each request was told matches the history the watch recorded.
  const pending = new Map<string, OpRecord>();
  for (const op of ops) {
    const tag = `${op.verb} ${op.name} (op ${op.id}${op.doomed ? ', meant to be refused' : ''})`;
    if (op.outcome === 'ok') {
      acked++;
      if (op.doomed) {
        problems.push(`${tag} got ${op.status}`);
        continue;
      }
      if (op.verb === 'delete') {
        const ev = firstEventAfter(op.name, Number(op.before.rv));
        if (!ev && input.historyThrough !== Infinity) continue;
        if (!ev || ev.type !== 'DELETED') problems.push(`${tag}: acknowledged, but the next event for the name after ${op.before.rv} is ${ev ? `${ev.type} at ${ev.rv}` : 'missing'}`);
        else verified++;
        continue;
      }
      const ev = op.rv ? events.get(Number(op.rv)) : undefined;
      const want = op.verb === 'create' ? 'ADDED' : 'MODIFIED';
      if (!op.rv) problems.push(`${tag}: 2xx without a resourceVersion`);
      else if (Number(op.rv) > input.historyThrough) continue;
      else if (!ev) problems.push(`${tag}: acknowledged at ${op.rv}, but no watch event at that revision (lost or gap)`);
      else if (ev.name !== op.name || ev.op !== op.id || ev.type !== want) problems.push(`${tag}: acknowledged at ${op.rv}, but the event there is ${ev.type} ${ev.name} op ${ev.op}`);
      else if (fingerprint(ev.data) !== fingerprints.get(op.id)) problems.push(`${tag}: the event at ${op.rv} carries different content`);
      else verified++;
    } else if (op.outcome === 'error') {
      refused++;
      if (!op.doomed) problems.push(`${tag}: unexpected ${op.status}: ${op.detail}`);
      if (eventByOp.has(op.id)) problems.push(`${tag}: refused with ${op.status}, yet its content was written at ${eventByOp.get(op.id)}`);
    } else {
      unanswered++;
      pending.set(op.name, op);
      let applied: boolean;
      if (op.verb === 'delete') {
        const ev = op.before.present ? firstEventAfter(op.name, Number(op.before.rv)) : undefined;
        applied = ev?.type === 'DELETED';
      } else applied = eventByOp.has(op.id);
      if (applied) unansweredApplied++;
      if (applied && op.doomed) problems.push(`${tag}: unanswered, and applied although it could not succeed`);
    }
  }

  // 2. The restarted server holds what the writers were told, up to one unanswered request each.
  for (const name of input.writerNames) {
    const b = beliefs.get(name) ?? { present: false };
    const got = listed.get(name);
    const u = pending.get(name);
    const gotDesc = got ? `rv ${got.rv} op ${got.data?.op}` : 'absent';
    const matches = (present: boolean, op: string | undefined, rv: string | undefined): boolean => {
      if (!present) return !got;
      if (!got || got.data?.op !== op || fingerprint(got.data) !== fingerprints.get(op ?? '')) return false;
      return rv === undefined ? Number(got.rv) > Number(b.rv ?? 0) : got.rv === rv;
    };
    const asBelieved = matches(b.present, b.op, b.rv);
    const asUnanswered = u !== undefined && !u.doomed && matches(u.verb !== 'delete', u.id, undefined);
    if (!asBelieved && !asUnanswered) {
      const want = b.present ? `rv ${b.rv} op ${b.op}` : 'absent';
      problems.push(`${name}: acknowledged state is ${want}${u ? ` (or the unanswered ${u.verb} ${u.id})` : ''}, the server has ${gotDesc}`);
    }
    beliefs.set(name, got ? { present: true, rv: got.rv, op: got.data?.op } : { present: false });
  }
  for (const name of listed.keys()) {
    if (!input.writerNames.has(name) && !input.isExtra(name)) problems.push(`unexpected object ${name} in the namespace`);
  }
  return { problems, acked, refused, unanswered, unansweredApplied, verified };
}

function eventsByName(events: Map<number, SeenEvent>): Map<string, SeenEvent[]> {
  const out = new Map<string, SeenEvent[]>();
  for (const rv of [...events.keys()].sort((a, b) => a - b)) {
    const ev = events.get(rv)!;
    let list = out.get(ev.name);
    if (!list) out.set(ev.name, (list = []));
    list.push(ev);
  }
  return out;
}
