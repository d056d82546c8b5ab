// The storm's checker must be able to fail: each case feeds checkRound a recorded history with
// one kind of damage (a lost write, a refused write that left a trace, a half-applied write, …)
// and expects it named; the clean cases expect nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkRound, compareWatchWithList, fingerprint } from './verify.js';
import type { SeenEvent, SeenObject } from './watcher.js';
import type { Belief, OpRecord } from './writer.js';

const NAME = 'w0-cm0';
const data = (op: string) => ({ op, payload: `${op}-payload` });
const obj = (rv: number, op: string, payload?: string): SeenObject => {
  const d = { op, payload: payload ?? `${op}-payload` };
  return { name: NAME, rv: String(rv), data: d, object: { metadata: { name: NAME, resourceVersion: String(rv) }, data: d } };
};
const ev = (type: SeenEvent['type'], rv: number, op: string): SeenEvent => ({ type, name: NAME, rv, op, data: data(op) });
const op = (o: Partial<OpRecord> & Pick<OpRecord, 'id' | 'verb' | 'outcome'>): OpRecord => ({
  writer: 0,
  name: NAME,
  doomed: false,
  before: { present: false },
  data: o.verb === 'delete' ? undefined : data(o.id),
  ...o,
});

interface Case {
  name: string;
  ops: OpRecord[];
  /** The writer's belief after the round (what 2xx answers said). */
  belief: Belief;
  listed: SeenObject[];
  events: SeenEvent[];
  want: RegExp[];
  verified?: number;
  applied?: number;
}

const cases: Case[] = [
  {
    name: 'an acknowledged create that is listed and was watched at its revision is verified',
    ops: [op({ id: 'a', verb: 'create', outcome: 'ok', rv: '5' })],
    belief: { present: true, rv: '5', op: 'a' },
    listed: [obj(5, 'a')],
    events: [ev('ADDED', 5, 'a')],
    want: [],
    verified: 1,
  },
  {
    name: 'an acknowledged update missing after the restart is reported as lost',
    ops: [op({ id: 'b', verb: 'update', outcome: 'ok', rv: '6', before: { present: true, rv: '5', op: 'a' } })],
    belief: { present: true, rv: '6', op: 'b' },
    listed: [obj(5, 'a')],
    events: [ev('ADDED', 5, 'a')],
    want: [/no watch event at that revision/, /acknowledged state is rv 6 op b.*server has rv 5 op a/],
  },
  {
    name: 'a write refused with 409 whose content was nevertheless stored is reported',
    ops: [op({ id: 'c', verb: 'update', outcome: 'error', status: 409, doomed: true, before: { present: true, rv: '5', op: 'a' } })],
    belief: { present: true, rv: '5', op: 'a' },
    listed: [obj(7, 'c')],
    events: [ev('ADDED', 5, 'a'), ev('MODIFIED', 7, 'c')],
    want: [/refused with 409, yet its content was written at 7/, /acknowledged state is rv 5 op a/],
  },
  {
    name: 'an unanswered update that was fully applied is accepted and counted',
    ops: [op({ id: 'd', verb: 'update', outcome: 'noanswer', before: { present: true, rv: '5', op: 'a' } })],
    belief: { present: true, rv: '5', op: 'a' },
    listed: [obj(8, 'd')],
    events: [ev('ADDED', 5, 'a'), ev('MODIFIED', 8, 'd')],
    want: [],
    applied: 1,
  },
  {
    name: 'an unanswered update stored with different content (half written) is reported',
    ops: [op({ id: 'd', verb: 'update', outcome: 'noanswer', before: { present: true, rv: '5', op: 'a' } })],
    belief: { present: true, rv: '5', op: 'a' },
    listed: [obj(8, 'd', 'truncat')],
    events: [ev('ADDED', 5, 'a')],
    want: [/or the unanswered update d\), the server has rv 8 op d/],
  },
  {
    name: 'an acknowledged delete whose object is still there is reported',
    ops: [op({ id: 'e', verb: 'delete', outcome: 'ok', before: { present: true, rv: '5', op: 'a' } })],
    belief: { present: false },
    listed: [obj(5, 'a')],
    events: [ev('ADDED', 5, 'a')],
    want: [/next event for the name after 5 is missing/, /acknowledged state is absent, the server has rv 5 op a/],
  },
];

for (const c of cases) {
  test(c.name, () => {
    const fingerprints = new Map<string, string>();
    for (const id of ['a', 'b', 'c', 'd', 'e']) fingerprints.set(id, fingerprint(data(id)));
    const events = new Map(c.events.map((e) => [e.rv, e]));
    const eventByOp = new Map(c.events.filter((e) => e.type !== 'DELETED' && e.op).map((e) => [e.op!, e.rv]));
    const r = checkRound({
      ops: c.ops,
      beliefs: new Map([[NAME, c.belief]]),
      writerNames: new Set([NAME]),
      fingerprints,
      listed: new Map(c.listed.map((o) => [o.name, o])),
      events,
      eventByOp,
      historyThrough: Infinity,
      isExtra: () => false,
    });
    assert.equal(r.problems.length, c.want.length, r.problems.join('\n'));
    c.want.forEach((re, i) => assert.match(r.problems[i], re));
    if (c.verified !== undefined) assert.equal(r.verified, c.verified);
    if (c.applied !== undefined) assert.equal(r.unansweredApplied, c.applied);
  });
}

test('a resumed watch that missed a DELETED or holds an older version than the LIST is reported', () => {
  const watched = new Map([
    ['gone', { ...obj(3, 'x'), name: 'gone' }],
    [NAME, obj(5, 'a')],
  ]);
  const listed = new Map([[NAME, obj(6, 'b')]]);
  assert.deepEqual(compareWatchWithList(watched, listed), [
    `${NAME}: watch has rv 5 (op a), list has rv 6 (op b)`,
    'gone (rv 3) is in the watcher\'s state but not listed (a DELETED was missed)',
  ]);
  assert.deepEqual(compareWatchWithList(listed, new Map(listed)), []);
});
