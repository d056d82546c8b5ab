// Node registration and status reporting against the real API server: capacity and allocatable
// as upstream computes them, and status writes only on change or after the report interval.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startInProcessApi, type InProcessApi } from '../client/transport/in-process-api.js';
import type { Client } from '../../src/client/rest/client.js';
import { resources } from '../../src/client/rest/builtin-resources.js';
import { NodeStatusReporter } from '../../src/kubelet/nodestatus/node-status.js';
import { NodeLease } from '../../src/kubelet/nodestatus/lease.js';
import { allocatableList, capacityList, parseReserved } from '../../src/kubelet/nodestatus/allocatable.js';
import { silentLog } from './agent-helpers.js';

describe('node status', () => {
  let api: InProcessApi;
  let client: Client;
  let dir: string;

  before(async () => {
    api = await startInProcessApi();
    client = api.client();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-nodestatus-'));
  });

  after(async () => {
    await api?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('subtracts reserved resources and the hard eviction thresholds from capacity', () => {
    const cap = { milliCpu: 4000, memoryBytes: 8 * 1024 ** 3, ephemeralStorageBytes: 100 * 1024 ** 3, pods: 110 };
    assert.deepEqual(capacityList(cap), { cpu: '4', 'ephemeral-storage': '104857600Ki', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: '8388608Ki', pods: '110' });
    const alloc = allocatableList(cap, [parseReserved('cpu=100m,memory=100Mi'), parseReserved('cpu=150m,ephemeral-storage=1Gi')]);
    assert.equal(alloc.cpu, '3750m');
    assert.equal(alloc.memory, `${8 * 1024 * 1024 - 200 * 1024}Ki`);
    assert.equal(alloc['ephemeral-storage'], String(100 * 1024 ** 3 - 1024 ** 3 - Math.floor(100 * 1024 ** 3 * 0.1)));
    assert.throws(() => parseReserved('cpu'), /not name=quantity/);
  });

  it('registers, then writes status only when it changed or the report interval passed', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const reporter = new NodeStatusReporter({ client, nodeName: 'ns1', rootDir: dir, nodeIP: '10.1.2.3', hostname: 'ns1', runtimeVersion: 'fake://0.1', podCidrs: ['10.244.0.0/24'], reserved: [], log: silentLog, now: () => now });
    const node = await reporter.register();
    assert.equal(node.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
    assert.equal(node.spec?.podCIDR, '10.244.0.0/24');
    assert.equal(node.metadata?.labels?.['kubernetes.io/hostname'], 'ns1');
    const rv = (await client.resource(resources.nodes).get('ns1')).metadata?.resourceVersion;
    now += 10_000;
    await reporter.update(false);
    assert.equal((await client.resource(resources.nodes).get('ns1')).metadata?.resourceVersion, rv);
    reporter.pressure = { memory: true, disk: false, pid: false };
    await reporter.update(false);
    const pressured = await client.resource(resources.nodes).get('ns1');
    const mem = pressured.status?.conditions?.find((c) => c.type === 'MemoryPressure');
    assert.equal(mem?.status, 'True');
    assert.equal(mem?.reason, 'KubeletHasInsufficientMemory');
    now += 300_001;
    await reporter.update(false);
    const reported = await client.resource(resources.nodes).get('ns1');
    assert.notEqual(reported.metadata?.resourceVersion, pressured.metadata?.resourceVersion);
    assert.equal(reported.status?.conditions?.find((c) => c.type === 'MemoryPressure')?.lastTransitionTime, mem?.lastTransitionTime);
  });

  it('keeps a Lease in kube-node-lease owned by the Node', async () => {
    const node = await client.resource(resources.nodes).get('ns1');
    const lease = new NodeLease({ client, nodeName: 'ns1', nodeUid: () => node.metadata?.uid, log: silentLog });
    const first = await lease.renew();
    const second = await lease.renew();
    assert.equal(first.metadata?.ownerReferences?.[0]?.uid, node.metadata?.uid);
    assert.equal(second.spec?.leaseDurationSeconds, 40);
    assert.match(second.spec?.renewTime ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  });
});
