// The keyed heap under activeQ and backoffQ against a plain model: random adds, updates (which
// move an entry up or down), deletes and pops; every pop must return the least entry, and
// has/get/peek/size/values must agree with the model throughout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyedHeap } from '../../src/scheduler/queue/keyed-heap.js';

interface Item {
  key: string;
  prio: number;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

test('the keyed heap pops in order through random adds, updates, deletes and pops', () => {
  const r = rng(17);
  const heap = new KeyedHeap<Item>(
    (i) => i.key,
    (a, b) => a.prio < b.prio,
  );
  const model = new Map<string, Item>();
  // Distinct priorities, so the least entry is unique and the order fully determined.
  let nextPrio = 0;
  const prio = () => Math.floor(r() * 1e6) * 1000 + nextPrio++;
  const least = () => [...model.values()].sort((a, b) => a.prio - b.prio)[0];
  for (let step = 0; step < 20_000; step++) {
    const op = r();
    const key = `k${Math.floor(r() * 500)}`;
    if (op < 0.45) {
      const item = { key, prio: prio() };
      heap.addOrUpdate(item);
      model.set(key, item);
    } else if (op < 0.6) {
      assert.equal(heap.delete(key), model.get(key));
      model.delete(key);
    } else {
      const want = least();
      assert.equal(heap.peek(), want);
      assert.equal(heap.pop(), want);
      if (want) model.delete(want.key);
    }
    assert.equal(heap.size, model.size);
    assert.equal(heap.has(key), model.has(key));
    assert.equal(heap.get(key), model.get(key));
  }
  assert.deepEqual(new Set(heap.values()), new Set(model.values()));
  const rest: Item[] = [];
  for (let it = heap.pop(); it; it = heap.pop()) rest.push(it);
  assert.deepEqual(rest, [...model.values()].sort((a, b) => a.prio - b.prio));
});
