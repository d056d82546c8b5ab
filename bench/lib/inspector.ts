// CPU-profiles a window of a server process's life through the V8 inspector: the server is
// started with --inspect=127.0.0.1:0, we read the WebSocket URL it logs, and start and stop the
// profiler around the load. Unlike --cpu-prof, start-up and population are left out.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { sleep } from './clock.js';
import type { ServerProcess } from './server-process.js';

/** Node flags that make startServer's process profilable by profileWindow. */
export const inspectArgs = ['--inspect=127.0.0.1:0'];

async function inspectorUrl(server: ServerProcess): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const log = readFileSync(join(server.dataDir, 'server.log'), 'utf8');
    const m = /Debugger listening on (ws:\/\/127\.0\.0\.1:\d+\/[\w-]+)/.exec(log);
    if (m) return m[1];
    await sleep(50);
  }
  throw new Error('the server was not started with --inspect (no "Debugger listening" line in its log)');
}

/** Runs `load` while the server's CPU profiler samples; writes the profile to `out`. */
export async function profileWindow<T>(server: ServerProcess, out: string, load: () => Promise<T>): Promise<T> {
  const ws = new WebSocket(await inspectorUrl(server));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let id = 0;
  const pending = new Map<number, (result: unknown) => void>();
  ws.on('message', (data: Buffer) => {
    const msg = JSON.parse(data.toString('utf8')) as { id?: number; result?: unknown };
    if (msg.id !== undefined) pending.get(msg.id)?.(msg.result);
  });
  const call = (method: string, params: object = {}): Promise<unknown> =>
    new Promise((resolve) => {
      const n = ++id;
      pending.set(n, resolve);
      ws.send(JSON.stringify({ id: n, method, params }));
    });
  try {
    await call('Profiler.enable');
    await call('Profiler.setSamplingInterval', { interval: 200 });
    await call('Profiler.start');
    const result = await load();
    const { profile } = (await call('Profiler.stop')) as { profile: unknown };
    writeFileSync(out, JSON.stringify(profile));
    return result;
  } finally {
    ws.close();
  }
}

export interface InspectorSession {
  /** Runtime.evaluate in the process's main context; returns the value (returnByValue). */
  evaluate(expression: string): Promise<unknown>;
  close(): void;
}

/** A session on a process started with inspectArgs, for reading its state during a run (e.g. its event-loop utilization). */
export async function openInspector(server: ServerProcess): Promise<InspectorSession> {
  const ws = new WebSocket(await inspectorUrl(server));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let id = 0;
  const pending = new Map<number, (result: unknown) => void>();
  ws.on('message', (data: Buffer) => {
    const msg = JSON.parse(data.toString('utf8')) as { id?: number; result?: unknown };
    if (msg.id !== undefined) {
      pending.get(msg.id)?.(msg.result);
      pending.delete(msg.id);
    }
  });
  return {
    evaluate: (expression) =>
      new Promise((resolve) => {
        const n = ++id;
        pending.set(n, (r) => resolve((r as { result?: { value?: unknown } }).result?.value));
        ws.send(JSON.stringify({ id: n, method: 'Runtime.evaluate', params: { expression, returnByValue: true } }));
      }),
    close: () => ws.close(),
  };
}
