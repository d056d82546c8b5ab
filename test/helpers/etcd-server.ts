// A real single-member etcd for tests: its own data directory and loopback ports from the OS,
// started with a short election timeout so it leads within ~100 ms instead of ~1 s.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCa, issueLeaf } from '../../src/auth/pki/issue.js';
import { generateKeyPair } from '../../src/auth/pki/keys.js';

export interface EtcdServer {
  /** The client URL, e.g. http://127.0.0.1:40123 (https:// with TLS). */
  endpoint: string;
  /** With TLS: the CA, and a client certificate and key etcd accepts (files in its directory). */
  tls?: { caFile: string; certFile: string; keyFile: string };
  /** Stops etcd, keeping its data and ports for start() (an outage of a running cluster). */
  kill(): Promise<void>;
  /** Starts a killed etcd again on the same data and ports. */
  start(): Promise<void>;
  /** kill() then start(). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Why etcd cannot be run here (the skip reason), or undefined when it can. */
export function etcdUnavailable(): string | undefined {
  const r = spawnSync('etcd', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? undefined : 'etcd is not installed (Debian package etcd-server)';
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function healthy(endpoint: string, client?: { caFile: string; certFile: string; keyFile: string }): Promise<boolean> {
  if (!client) {
    try {
      const res = await fetch(`${endpoint}/health`);
      return ((await res.json()) as { health?: string }).health === 'true';
    } catch {
      return false;
    }
  }
  // fetch cannot present a client certificate: node:https can.
  return new Promise((resolve) => {
    const req = httpsGet(`${endpoint}/health`, { ca: readFileSync(client.caFile), cert: readFileSync(client.certFile), key: readFileSync(client.keyFile) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve(body.includes('"health":"true"')));
    });
    req.on('error', () => resolve(false));
  });
}

/** tmpfs where there is one: a test's etcd needs no durability, and its fsync per commit would cost ~0.3 ms on disk. */
function dataRoot(): string {
  try {
    accessSync('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
}

interface Running {
  child: ChildProcess;
  exited: Promise<void>;
}

interface ServerTLS {
  caFile: string;
  serverCertFile: string;
  serverKeyFile: string;
  client: { caFile: string; certFile: string; keyFile: string };
}

/** A CA, a serving certificate for 127.0.0.1 and a client certificate, as files in dir. */
async function issueTLS(dir: string): Promise<ServerTLS> {
  const caKeys = await generateKeyPair();
  const ca = { certPem: await createCa(caKeys, { commonName: 'etcd-ca' }, 1), keys: caKeys };
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text, { mode: 0o600 });
    return join(dir, name);
  };
  const serverKeys = await generateKeyPair();
  const serverCert = await issueLeaf(ca, serverKeys, { subject: { commonName: 'etcd' }, usage: 'server', validityDays: 1, ips: ['127.0.0.1'], dnsNames: ['localhost'] });
  const clientKeys = await generateKeyPair();
  const clientCert = await issueLeaf(ca, clientKeys, { subject: { commonName: 'kube-apiserver-etcd-client' }, usage: 'client', validityDays: 1 });
  const caFile = write('ca.crt', ca.certPem);
  return {
    caFile,
    serverCertFile: write('server.crt', serverCert),
    serverKeyFile: write('server.key', serverKeys.privateKeyPem),
    client: { caFile, certFile: write('client.crt', clientCert), keyFile: write('client.key', clientKeys.privateKeyPem) },
  };
}

/** Starts etcd and waits until it is healthy; { failed: its stderr } when it exited or never got there. */
async function launch(dataDir: string, endpoint: string, peerUrl: string, tls?: ServerTLS): Promise<Running | { failed: string }> {
  let stderr = '';
  const child = spawn(
    'etcd',
    [
      '--name', 'default',
      '--data-dir', dataDir,
      '--listen-client-urls', endpoint,
      '--advertise-client-urls', endpoint,
      '--listen-peer-urls', peerUrl,
      '--initial-advertise-peer-urls', peerUrl,
      '--initial-cluster', `default=${peerUrl}`,
      '--heartbeat-interval', '10',
      '--election-timeout', '50',
      '--logger', 'zap',
      '--log-level', 'error',
      // Clients must present a certificate the CA signed, as a production etcd asks of kube-apiserver.
      ...(tls ? ['--cert-file', tls.serverCertFile, '--key-file', tls.serverKeyFile, '--trusted-ca-file', tls.caFile, '--client-cert-auth'] : []),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  let gone = false;
  // etcd must not outlive a test process that ends without stopping it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => {
    gone = true;
    process.off('exit', killOnExit);
  });
  const deadline = Date.now() + 15_000;
  while (!gone && Date.now() < deadline) {
    if (await healthy(endpoint, tls?.client)) return { child, exited };
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill('SIGKILL');
  await exited;
  return { failed: stderr.trim() || 'not healthy within 15 s' };
}

/** tls: serve clients over TLS and require client certificates. */
export async function startEtcd(opts: { tls?: boolean } = {}): Promise<EtcdServer> {
  const dir = mkdtempSync(join(dataRoot(), 'k8ts-etcd-'));
  const dataDir = join(dir, 'data');
  const tls = opts.tls ? await issueTLS(dir) : undefined;
  // A port the OS handed out can be taken again before etcd binds it: then etcd exits, and the
  // start is tried again with new ports (and a fresh data dir, which remembers its URLs).
  for (let attempt = 0; ; attempt++) {
    const endpoint = `${tls ? 'https' : 'http'}://127.0.0.1:${await freePort()}`;
    const peerUrl = `http://127.0.0.1:${await freePort()}`;
    rmSync(dataDir, { recursive: true, force: true });
    let running = await launch(dataDir, endpoint, peerUrl, tls);
    if ('failed' in running) {
      if (attempt < 2) continue;
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`etcd did not start at ${endpoint}: ${running.failed}`);
    }
    const stopNow = async () => {
      if ('failed' in running) return;
      running.child.kill('SIGTERM');
      await running.exited;
    };
    const start = async () => {
      running = await launch(dataDir, endpoint, peerUrl, tls);
      if ('failed' in running) throw new Error(`etcd did not start again at ${endpoint}: ${running.failed}`);
    };
    return {
      endpoint,
      tls: tls?.client,
      kill: stopNow,
      start,
      async restart() {
        await stopNow();
        await start();
      },
      async stop() {
        await stopNow();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
}
