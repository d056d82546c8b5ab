import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exitOnSignal, shutdownFromStart } from '../../src/cli/shutdown.js';
import { createLogger } from '../../src/util/log.js';

const log = createLogger('test', { level: 'silent', destination: { write: () => undefined } });

function deferred() {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

// Signals are delivered with process.emit: the handlers run exactly as for a real signal, and
// the test process is never actually signalled.
test('the first signal closes everything and exits 0 once closing is done; a failed close exits 1', async (t) => {
  for (const [signal, outcome, expected] of [
    ['SIGTERM', 'resolve', 0],
    ['SIGINT', 'reject', 1],
  ] as const) {
    const closing = deferred();
    let closes = 0;
    const exits: number[] = [];
    const exited = new Promise<void>((resolve) => {
      const remove = exitOnSignal(
        () => {
          closes++;
          return closing.promise;
        },
        log,
        (code) => {
          exits.push(code);
          remove();
          resolve();
        },
      );
      t.after(remove);
    });
    process.emit(signal, signal);
    assert.equal(closes, 1);
    assert.deepEqual(exits, [], 'no exit before close finishes');
    if (outcome === 'resolve') closing.resolve();
    else closing.reject(new Error('store would not close'));
    await exited;
    assert.deepEqual(exits, [expected], `${signal} then ${outcome}`);
  }
});

test('a second signal while closing exits at once with 128 + the signal number', (t) => {
  const exits: number[] = [];
  let closes = 0;
  const remove = exitOnSignal(
    () => {
      closes++;
      return new Promise<void>(() => undefined);
    },
    log,
    (code) => exits.push(code),
  );
  t.after(remove);
  process.emit('SIGTERM', 'SIGTERM');
  process.emit('SIGINT', 'SIGINT');
  assert.equal(closes, 1, 'close is not started twice');
  assert.deepEqual(exits, [130]);
});

test('a signal while starting: the step in progress finishes, every started step is stopped in reverse, then exit 0', async (t) => {
  const order: string[] = [];
  let exit!: (code: number) => void;
  const exited = new Promise<number>((resolve) => (exit = resolve));
  const shutdown = shutdownFromStart(log, exit);
  t.after(() => shutdown.remove());
  await shutdown.step(async () => 'server', async (s) => void order.push(`stop ${s}`));
  const node = deferred();
  let nodeStepSettled = false;
  void shutdown.step(() => node.promise.then(() => 'node'), async (n) => void order.push(`stop ${n}`)).finally(() => (nodeStepSettled = true));
  process.emit('SIGTERM', 'SIGTERM');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(order, [], 'nothing is stopped while a step is still starting');
  node.resolve();
  assert.equal(await exited, 0);
  assert.deepEqual(order, ['stop node', 'stop server']);
  assert.equal(nodeStepSettled, false, 'the command does not go on to its next step');
});

test('a failed step stops the steps started before it and rethrows, without exiting', async (t) => {
  const order: string[] = [];
  const exits: number[] = [];
  const shutdown = shutdownFromStart(log, (code) => exits.push(code));
  t.after(() => shutdown.remove());
  await shutdown.step(async () => 'server', async (s) => void order.push(`stop ${s}`));
  await assert.rejects(
    shutdown.step(
      async () => {
        throw new Error('kubelet port taken');
      },
      async () => void order.push('stop node'),
    ),
    /kubelet port taken/,
  );
  assert.deepEqual(order, ['stop server']);
  assert.deepEqual(exits, []);
});
