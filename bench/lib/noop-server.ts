// A server that does nothing: HTTPS with HTTP/2 and HTTP/1.1 like the API server, same
// certificates and client-certificate request, answering every request with 201 and its own
// body. Load against it measures the load generator's ceiling on this machine, so a benchmark can
// tell "the server is slow" from "the client cannot go faster".
// Usage (as a process): node --import tsx bench/lib/noop-server.ts DATA_DIR  → prints "listening PORT"
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createSecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuMs } from './proc.js';
import { isMain } from './main.js';

export interface NoopServer {
  url: string;
  pid: number;
  cpuMs(): number;
  stop(): void;
}

/** Starts the no-op server as its own process with the PKI of a k8ts data dir. */
export async function startNoopServer(dataDir: string): Promise<NoopServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('no-op server did not start')), 30_000);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      out += d;
      const m = /listening (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => reject(new Error(`no-op server exited with ${code}`)));
  });
  const pid = child.pid ?? 0;
  return { url: `https://127.0.0.1:${port}`, pid, cpuMs: () => cpuMs(pid), stop: () => void child.kill('SIGKILL') };
}

if (isMain(import.meta.url)) {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: noop-server.ts DATA_DIR');
  const pem = (f: string) => readFileSync(join(dir, 'pki', f), 'utf8');
  const server = createSecureServer(
    { allowHTTP1: true, cert: pem('apiserver.crt'), key: pem('apiserver.key'), ca: pem('ca.crt'), requestCert: true, rejectUnauthorized: false, settings: { maxConcurrentStreams: 1000 } },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' });
        res.end(Buffer.concat(chunks));
      });
    },
  );
  server.listen(0, '127.0.0.1', () => process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`));
}
