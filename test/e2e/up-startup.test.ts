// `k8ts up` while it starts: a node agent that cannot serve the kubelet API (its port is taken)
// fails the start, as upstream's kubelet exits, instead of reporting a Ready node that logs and exec
// cannot reach; a SIGTERM before the cluster is ready stops what started and exits 0 instead of
// killing the process half-started.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startK8ts } from '../cli/k8ts-process.js';

test('k8ts up exits 1 naming the kubelet port when another process holds it', async () => {
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '0.0.0.0', resolve));
  const port = (holder.address() as AddressInfo).port;
  const dataDir = mkdtempSync(join(tmpdir(), 'k8ts-up-port-'));
  try {
    const up = startK8ts(['up', '--data-dir', dataDir, '--port', '0', '--kubelet-port', String(port), '--service-cidr', '127.95.0.0/16', '--pod-cidr', '127.96.0.0/16', '--proxy-mode', 'userspace'], { K8TS_LOG_LEVEL: 'warn' });
    const { code } = await up.exited;
    assert.equal(code, 1, up.stderr().slice(-2000));
    assert.match(up.stderr(), new RegExp(`cannot serve the kubelet API on port ${port}: .*EADDRINUSE`));
    assert.doesNotMatch(up.stdout(), /Ready/);
  } finally {
    holder.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('SIGTERM while k8ts up is still starting: what started is stopped in order and the exit is clean', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'k8ts-up-term-'));
  try {
    const up = startK8ts(['up', '--data-dir', dataDir, '--port', '0', '--kubelet-port', '0', '--service-cidr', '127.93.0.0/16', '--pod-cidr', '127.94.0.0/16', '--proxy-mode', 'userspace'], { K8TS_LOG_LEVEL: 'info' });
    // The API server is up; the node agent, proxy and DNS are still to come.
    await up.waitForLine(/API server ready/);
    up.child.kill('SIGTERM');
    const { code, signal } = await up.exited;
    assert.equal(signal, null, 'ended by its own exit, not by the signal');
    assert.equal(code, 0, up.stderr().slice(-2000));
    assert.match(up.stderr(), /shutting down/);
    assert.match(up.stderr(), /sqlite store closed/);
    assert.doesNotMatch(up.stdout(), /k8ts cluster ready/);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
