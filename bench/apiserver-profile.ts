// Profiles the server process under one benchmark's load, through the V8 inspector, so only the
// measured window is sampled (not start-up or population), and prints the hot functions.
// Usage: node --import tsx bench/apiserver-profile.ts create|create-h1|bind|bind-h1|latency|list|watch [seconds=5]
// (create and bind are over HTTP/2, create-h1 and bind-h1 over HTTP/1.1 keep-alive; bind profiles
// the pods/binding of pods created before the window)
// The .cpuprofile is kept in a temp dir (printed) for Chrome DevTools or speedscope.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { h2Client, makeClient, requestJSON } from './lib/http-client.js';
import { bulkCreatePods, createNamespace, isMain } from './lib/populate.js';
import { startServer } from './lib/server-process.js';
import { formatHotSpots, summarizeProfile } from './lib/cpuprofile.js';
import { inspectArgs, profileWindow } from './lib/inspector.js';
import { runOnWorkers } from './lib/workers.js';
import type { OpenLoopResult } from './lib/tasks.js';
import { benchPod } from './lib/pod.js';
import { sleep } from './lib/clock.js';

export async function profileScenario(scenario: string, seconds: number): Promise<string> {
  const out = join(mkdtempSync(join(tmpdir(), 'k8ts-prof-')), `${scenario}.cpuprofile`);
  const server = await startServer({ nodeArgs: inspectArgs });
  try {
    const admin = await h2Client(server.creds, 1);
    try {
      await createNamespace(admin, 'prof');
      const proto = scenario.endsWith('-h1') ? 'h1' : 'h2';
      const create = (count: number, maxMs: number, prefix = 'p') =>
        bulkCreatePods(server, { proto, namespace: 'prof', prefix, count, workers: 2, clients: 16, maxMs });
      if (scenario === 'create' || scenario === 'create-h1') {
        await create(2000, 5000, 'warm');
        const r = await profileWindow(server, out, () => create(seconds * 8000, seconds * 1000));
        console.log(`created ${r.ok} pods at ${Math.round(r.perSec)}/s, server ${r.serverCores.toFixed(2)} cores, ${r.serverCpuPerOpMs.toFixed(2)} ms CPU per create`);
      } else if (scenario === 'bind' || scenario === 'bind-h1') {
        const n = seconds * 1000;
        await create(n, 120_000, 'b');
        const client = await makeClient(proto, server.creds, 16);
        try {
          let next = 0;
          const c0 = server.cpuMs();
          await profileWindow(server, out, () =>
            Promise.all(
              Array.from({ length: 16 }, async () => {
                while (next < n) {
                  const i = next++;
                  const body = { apiVersion: 'v1', kind: 'Binding', metadata: { name: `b-${i}` }, target: { kind: 'Node', name: `node-${i % 100}` } };
                  const r = await client.request('POST', `/api/v1/namespaces/prof/pods/b-${i}/binding`, JSON.stringify(body));
                  if (r.status !== 201) throw new Error(`bind: HTTP ${r.status}: ${r.body.toString('utf8').slice(0, 300)}`);
                }
              }),
            ),
          );
          console.log(`bound ${n} pods, ${((server.cpuMs() - c0) / n).toFixed(3)} ms CPU per bind (profiler on)`);
        } finally {
          client.close();
        }
      } else if (scenario === 'latency') {
        await create(2000, 5000, 'warm');
        await profileWindow(server, out, () =>
          runOnWorkers<OpenLoopResult>([{ kind: 'open', proto: 'h2', creds: server.creds, connections: 1, namespace: 'prof', prefix: 'o', ratePerSec: 100, durationMs: seconds * 1000 }], seconds * 1000 + 60_000),
        );
      } else if (scenario === 'list') {
        await create(10_000, 120_000);
        await profileWindow(server, out, async () => {
          for (let i = 0; i < 5; i++) {
            const t = performance.now();
            const r = await admin.request('GET', '/api/v1/namespaces/prof/pods');
            console.log(`list ${r.status} ${r.body.length} bytes in ${Math.round(performance.now() - t)} ms`);
          }
        });
      } else if (scenario === 'watch') {
        // Watchers in this process are enough to load the server's fan-out path.
        const watchers = await h2Client(server.creds, 4);
        const list = await requestJSON<{ metadata: { resourceVersion: string } }>(admin, 'GET', '/api/v1/namespaces/prof/pods');
        const streams = Array.from({ length: 1000 }, () =>
          watchers.request('GET', `/api/v1/namespaces/prof/pods?watch=1&timeoutSeconds=${seconds + 30}&resourceVersion=${list.metadata.resourceVersion}`).catch(() => undefined),
        );
        await sleep(3000);
        await profileWindow(server, out, async () => {
          for (let i = 0; i < 10; i++) {
            await requestJSON(admin, 'POST', '/api/v1/namespaces/prof/pods', benchPod(`w-${i}`, i));
            await sleep(200);
          }
        });
        watchers.close();
        void Promise.all(streams);
      } else {
        throw new Error(`unknown scenario ${scenario} (create|create-h1|bind|bind-h1|latency|list|watch)`);
      }
    } finally {
      admin.close();
    }
  } finally {
    await server.stop();
  }
  const s = summarizeProfile(out, 35);
  console.log(`profile ${out}: ${s.totalMs} ms sampled, idle ${s.idleMs} ms`);
  console.log(formatHotSpots('self time:', s.self));
  console.log(formatHotSpots('inclusive time:', s.inclusive));
  return out;
}

if (isMain(import.meta.url)) {
  await profileScenario(process.argv[2] ?? 'create', Number(process.argv[3] ?? 5));
}
