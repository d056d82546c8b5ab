// The admission chain runs its plugins in order, each after the previous one finished, whether
// they answer synchronously (no microtask turn each) or with a promise; an error thrown or
// rejected by any of them ends the chain as a rejection and later plugins do not run. A plugin
// may ask for the mutating phase to run once more (upstream's reinvocation).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AdmissionChain, admissionPassed, type AdmissionAttributes, type AdmissionPlugin } from '../../src/apiserver/admission/admission.js';
import { reinvocationOf } from '../../src/apiserver/admission/reinvocation.js';

const attrs = { operation: 'CREATE', subresource: '', namespace: 'n', name: 'x', object: {} } as unknown as AdmissionAttributes;

/** Plugins that record when they start and finish; `async` ones finish after a timer turn. */
function recorder(): { log: string[]; plugin(name: string, how: 'sync' | 'async' | 'throw' | 'reject'): AdmissionPlugin } {
  const log: string[] = [];
  const run = (name: string, how: string) => (): void | Promise<void> => {
    log.push(`${name} start`);
    if (how === 'throw') throw new Error(`${name} refused`);
    if (how === 'reject') return Promise.reject(new Error(`${name} refused`));
    if (how === 'async') return new Promise<void>((resolve) => setImmediate(() => (log.push(`${name} done`), resolve())));
    log.push(`${name} done`);
  };
  return { log, plugin: (name, how) => ({ name, admit: run(name, how), validate: run(`${name}/v`, how) }) };
}

describe('admission chain', () => {
  test('synchronous and asynchronous plugins run in order, each after the one before finished', async () => {
    const r = recorder();
    const chain = new AdmissionChain([r.plugin('a', 'sync'), r.plugin('b', 'async'), { name: 'c' }, r.plugin('d', 'sync'), r.plugin('e', 'async')]);
    await chain.admit(attrs);
    assert.deepEqual(r.log, ['a start', 'a done', 'b start', 'b done', 'd start', 'd done', 'e start', 'e done']);
    r.log.length = 0;
    await chain.validate(attrs);
    assert.deepEqual(r.log, ['a/v start', 'a/v done', 'b/v start', 'b/v done', 'd/v start', 'd/v done', 'e/v start', 'e/v done']);
  });

  test('a thrown or rejected error is a rejection of the chain, and no later plugin runs', async () => {
    for (const how of ['throw', 'reject'] as const) {
      for (const first of ['sync', 'async'] as const) {
        const r = recorder();
        const chain = new AdmissionChain([r.plugin('a', first), r.plugin('b', how), r.plugin('c', 'sync')]);
        const result = chain.admit(attrs);
        assert.ok(result instanceof Promise, 'the chain answers with a promise even when a plugin throws');
        await assert.rejects(result, /b refused/);
        assert.deepEqual(r.log, ['a start', 'a done', 'b start'], `${first} then ${how}`);
      }
    }
  });

  test('a chain of synchronous plugins has finished when admit returns', async () => {
    const r = recorder();
    const chain = new AdmissionChain([r.plugin('a', 'sync'), r.plugin('b', 'sync')]);
    const result = chain.admit(attrs);
    assert.deepEqual(r.log, ['a start', 'a done', 'b start', 'b done']);
    await result;
    await new AdmissionChain([]).validate(attrs);
  });

  test('a plugin that asks for reinvocation has the mutating phase run once more, but for plugins that run once, and never a third time', async () => {
    const r = recorder();
    const rounds: boolean[] = [];
    // Asks every time it runs (as a webhook that always changes the object would).
    const asker: AdmissionPlugin = {
      name: 'asker',
      admit: (a) =>
        new Promise<void>((resolve) =>
          setImmediate(() => {
            const rc = reinvocationOf(a);
            rounds.push(rc.isReinvoke);
            rc.shouldReinvoke = true;
            resolve();
          }),
        ),
    };
    const chain = new AdmissionChain([r.plugin('a', 'sync'), { ...r.plugin('allocate', 'sync'), once: true }, asker, r.plugin('b', 'async')]);
    const a = { ...attrs };
    await chain.admit(a);
    assert.deepEqual(r.log, ['a start', 'a done', 'allocate start', 'allocate done', 'b start', 'b done', 'a start', 'a done', 'b start', 'b done']);
    assert.deepEqual(rounds, [false, true]);
    r.log.length = 0;
    await chain.validate(a);
    assert.deepEqual(r.log, ['a/v start', 'a/v done', 'allocate/v start', 'allocate/v done', 'b/v start', 'b/v done'], 'validation runs once');
  });

  test('a chain where nobody asks for reinvocation runs once, and a synchronous one still answers with the settled promise', async () => {
    const r = recorder();
    const chain = new AdmissionChain([r.plugin('a', 'sync'), r.plugin('b', 'async')]);
    await chain.admit({ ...attrs });
    assert.deepEqual(r.log, ['a start', 'a done', 'b start', 'b done']);
    assert.equal(new AdmissionChain([r.plugin('c', 'sync')]).admit({ ...attrs }), admissionPassed);
  });

  test('an error in the second run ends the chain as a rejection', async () => {
    let runs = 0;
    const failsSecond: AdmissionPlugin = {
      name: 'second',
      admit: async (a) => {
        if (runs++ === 1) throw new Error('refused on reinvocation');
        reinvocationOf(a).shouldReinvoke = true;
      },
    };
    await assert.rejects(new AdmissionChain([failsSecond]).admit({ ...attrs }), /refused on reinvocation/);
    assert.equal(runs, 2);
  });
});
