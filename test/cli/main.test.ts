import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runK8ts } from './k8ts-process.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

test('k8ts version prints the package version and the Kubernetes API version it serves', async () => {
  const { code, stdout, stderr } = await runK8ts(['version']);
  assert.equal(code, 0, stderr);
  assert.equal(stdout, `k8ts ${pkg.version} (Kubernetes v1.32 API, Node.js ${process.version})\n`);
});

test('the help of server and up documents the ./.k8ts default data dir, port 6443 and bind 127.0.0.1', async () => {
  for (const cmd of ['server', 'up']) {
    const { code, stdout } = await runK8ts([cmd, '--help']);
    assert.equal(code, 0);
    // (the help wraps its descriptions to the terminal: a default may start on the next line)
    assert.match(stdout, /--data-dir <dir>[\s\S]*default:\s+"\.\/\.k8ts"/, cmd);
    assert.match(stdout, /--port <port>[\s\S]*default:\s+6443/, cmd);
    assert.match(stdout, /--bind <address>[\s\S]*default:\s+"127\.0\.0\.1"/, cmd);
    assert.match(stdout, /--storage <spec>/, cmd);
    assert.match(stdout, /--endpoint-reconciler-type <type>[\s\S]*default:\s+"lease"/, cmd);
    assert.match(stdout, /--advertise-address <ip>/, cmd);
  }
});

test('only commands that work are registered', async () => {
  const { stdout } = await runK8ts(['--help']);
  const commands = [...stdout.split('Commands:')[1].matchAll(/^ {2}(\S+)/gm)].map((m) => m[1]);
  assert.deepEqual(commands, ['up', 'server', 'controller-manager', 'scheduler', 'descheduler', 'proxy', 'agent', 'token', 'version', 'help']);
});

test('invalid flag values exit 1 with one line naming the flag, before anything is started', async () => {
  const cases = [
    { args: ['server', '--port', '70000'], message: /option '--port <port>' argument '70000' is invalid/ },
    { args: ['server', '--port', 'http'], message: /option '--port <port>' argument 'http' is invalid/ },
    { args: ['server', '--bind', 'localhost'], message: /option '--bind <address>' argument 'localhost' is invalid.*IP address/ },
    { args: ['server', '--storage', 'mysql://db'], message: /option '--storage <spec>' argument 'mysql:\/\/db' is invalid/ },
    { args: ['server', '--event-ttl', 'soon'], message: /option '--event-ttl <duration>' argument 'soon' is invalid.*duration such as 1h/ },
    { args: ['up', '--event-ttl', '-5m'], message: /option '--event-ttl <duration>' argument '-5m' is invalid/ },
    { args: ['server', '--endpoint-reconciler-type', 'master-count'], message: /option '--endpoint-reconciler-type <type>' argument 'master-count' is invalid\. master-count is deprecated upstream .*use lease \(the default\) or none/ },
    { args: ['server', '--endpoint-reconciler-type', 'leases'], message: /option '--endpoint-reconciler-type <type>' argument 'leases' is invalid\. must be one of: lease, none/ },
    { args: ['up', '--advertise-address', '0.0.0.0'], message: /option '--advertise-address <ip>' argument '0\.0\.0\.0' is invalid/ },
    { args: ['up', '--frobnicate'], message: /unknown option '--frobnicate'/ },
  ];
  for (const c of cases) {
    const { code, stdout, stderr } = await runK8ts(c.args);
    assert.equal(code, 1, c.args.join(' '));
    assert.equal(stdout, '');
    assert.match(stderr, c.message);
    assert.equal(stderr.trim().split('\n').length, 1, `one line: ${stderr}`);
  }
});

test('an unusable data dir or log level exits 1 with one clear line and no stack trace', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'a-file');
  writeFileSync(file, '');
  const cases = [
    { args: ['server', '--data-dir', file], env: {}, line: `k8ts: cannot use data directory ${file}: not a directory` },
    { args: ['server', '--data-dir', join(file, 'sub')], env: {}, line: `k8ts: cannot use data directory ${join(file, 'sub')}: not a directory` },
    {
      args: ['server', '--data-dir', dir],
      env: { K8TS_LOG_LEVEL: 'chatty' },
      line: 'k8ts: unknown log level "chatty" (use one of trace, debug, info, warn, error, fatal, silent)',
    },
    {
      args: ['up', '--data-dir', dir, '--log-level', 'loud'],
      env: {},
      line: 'k8ts: unknown log level "loud" (use one of trace, debug, info, warn, error, fatal, silent)',
    },
  ];
  for (const c of cases) {
    const { code, stdout, stderr } = await runK8ts(c.args, c.env);
    assert.equal(code, 1, c.args.join(' '));
    assert.equal(stdout, '');
    assert.equal(stderr, `${c.line}\n`);
  }
});
