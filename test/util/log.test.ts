import { test } from 'node:test';
import assert from 'node:assert/strict';
import { componentLogger, createLogger, formatLogLine, resolveLevel } from '../../src/util/log.js';

function capture() {
  const lines: string[] = [];
  return { lines, destination: { write: (s: string) => void lines.push(s) } };
}

test('a logger writes one JSON object per line with the component, a level name, an ISO time and the fields', () => {
  const { lines, destination } = capture();
  const log = createLogger('apiserver', { destination, format: 'json', level: 'info' });
  log.info({ port: 6443 }, 'listening');
  assert.equal(lines.length, 1);
  assert.ok(lines[0].endsWith('\n'));
  const rec = JSON.parse(lines[0]) as Record<string, unknown>;
  assert.equal(rec.component, 'apiserver');
  assert.equal(rec.level, 'info');
  assert.equal(rec.msg, 'listening');
  assert.equal(rec.port, 6443);
  assert.match(String(rec.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
});

test('lines below the level are dropped; the level comes from the option, else K8TS_LOG_LEVEL, else info', (t) => {
  const saved = process.env.K8TS_LOG_LEVEL;
  t.after(() => {
    if (saved === undefined) delete process.env.K8TS_LOG_LEVEL;
    else process.env.K8TS_LOG_LEVEL = saved;
  });
  const cases: { env?: string; option?: string; expected: string[] }[] = [
    { expected: ['info', 'warn'] },
    { env: 'debug', expected: ['debug', 'info', 'warn'] },
    { env: 'WARN', expected: ['warn'] },
    { env: 'debug', option: 'warn', expected: ['warn'] },
    { option: 'silent', expected: [] },
  ];
  for (const c of cases) {
    if (c.env === undefined) delete process.env.K8TS_LOG_LEVEL;
    else process.env.K8TS_LOG_LEVEL = c.env;
    const { lines, destination } = capture();
    const log = createLogger('test', { destination, format: 'json', level: c.option });
    log.trace('t');
    log.debug('d');
    log.info('i');
    log.warn('w');
    const levels = lines.map((l) => (JSON.parse(l) as { level: string }).level);
    assert.deepEqual(levels, c.expected, `env=${c.env} option=${c.option}`);
  }
});

test('an unknown level name is an error that lists the valid ones', () => {
  assert.throws(() => resolveLevel('verbose'), /unknown log level "verbose" \(use one of trace, debug, info/);
  assert.throws(() => createLogger('x', { level: 'loud', destination: capture().destination }), /unknown log level/);
});

test('the text format prints time, level, component, message and fields on one line', () => {
  const { lines, destination } = capture();
  const log = createLogger('scheduler', { destination, format: 'text', level: 'info' });
  log.info({ pod: 'default/web-0', node: 'node a', attempts: 2 }, 'bound');
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^\d\d:\d\d:\d\d\.\d{3} INFO  scheduler: bound pod=default\/web-0 node="node a" attempts=2\n$/);
});

test('formatLogLine shows an error message inline and its stack indented below, and passes non-JSON through', () => {
  const err = { type: 'Error', message: 'connection refused', stack: 'Error: connection refused\n    at dial (net.js:1:1)\n    at main (main.js:2:2)' };
  const line = JSON.stringify({ level: 'error', time: '2024-05-01T10:20:30.456Z', component: 'etcd', msg: 'dial failed', err });
  assert.equal(
    formatLogLine(line, false),
    '10:20:30.456 ERROR etcd: dial failed err="connection refused"\n    at dial (net.js:1:1)\n    at main (main.js:2:2)\n',
  );
  assert.equal(formatLogLine('plain text\n', false), 'plain text\n');
  const colored = formatLogLine(JSON.stringify({ level: 'warn', time: '2024-05-01T10:20:30.456Z', msg: 'm' }), true);
  assert.equal(colored, '10:20:30.456 \x1b[33mWARN \x1b[0m m\n');
});

test('a logger with the default destination is a child of a shared root and still honours its own level', () => {
  const a = createLogger('a', { level: 'warn', format: 'json' });
  const b = createLogger('b', { level: 'debug', format: 'json' });
  assert.equal(a.level, 'warn');
  assert.equal(b.level, 'debug');
  assert.equal(a.isLevelEnabled('info'), false);
  assert.equal(b.isLevelEnabled('debug'), true);
});

test('a component logger derived from another writes to the same place at the same level with its own component, once', () => {
  const { lines, destination } = capture();
  const parent = createLogger('k8ts', { destination, format: 'json', level: 'warn' });
  const child = componentLogger(parent, 'storage');
  child.info('hidden');
  child.warn('shown');
  assert.equal(lines.length, 1);
  assert.equal(lines[0].match(/"component"/g)?.length, 1, lines[0]);
  assert.equal((JSON.parse(lines[0]) as { component: string }).component, 'storage');
  assert.equal(child.level, 'warn');
});
