// The probe primitives against real local servers and real processes: the results and the
// messages upstream's kubelet puts in Unhealthy events.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpsServer } from 'node:https';
import { generateKeyPair } from '../../../src/auth/pki/keys.js';
import { createCa } from '../../../src/auth/pki/issue.js';
import { httpProbe, probeUserAgent } from '../../../src/kubelet/prober/probes/http.js';
import { tcpProbe } from '../../../src/kubelet/prober/probes/tcp.js';
import { grpcProbe, decodeHealthCheckResponse, encodeHealthCheckRequest } from '../../../src/kubelet/prober/probes/grpc.js';
import { execProbe } from '../../../src/kubelet/prober/probes/exec.js';
import { resolveContainerPort } from '../../../src/kubelet/prober/probes/port.js';
import { execRuntime, freePort, listenTcp, startGrpcHealthServer, startHttpServer, type ProbeHttpServer } from './probe-helpers.js';

let http: ProbeHttpServer;
before(async () => {
  http = await startHttpServer();
});
after(async () => {
  await http.close();
});

const get = (path: string, extra: Partial<Parameters<typeof httpProbe>[0]> = {}) => httpProbe({ scheme: 'HTTP', host: '127.0.0.1', port: http.port, path, timeoutMs: 1000, ...extra });

describe('httpGet probe', () => {
  test('a status in [200, 400) succeeds with the body as output; others fail naming the status only', async () => {
    http.status.set('/ok', 204);
    http.status.set('/bad', 500);
    assert.deepEqual(await get('/ok'), { result: 'Success', output: '' });
    assert.deepEqual(await get('/bad'), { result: 'Failure', output: 'HTTP probe failed with statuscode: 500' });
    http.status.set('/created', 201);
    assert.equal((await get('/created')).output, 'status 201 for /created');
  });

  test('sends kube-probe as user agent, Accept */*, the probe headers, and a Host header override', async () => {
    const before = http.requests.length;
    await get('/hdr?x=1', { headers: [{ name: 'X-Custom', value: 'v' }, { name: 'Host', value: 'example.test' }] });
    const req = http.requests[before]!;
    assert.equal(req.url, '/hdr?x=1');
    assert.equal(req.headers['user-agent'], probeUserAgent);
    assert.match(probeUserAgent, /^kube-probe\/1\.\d+$/);
    assert.equal(req.headers.accept, '*/*');
    assert.equal(req.headers['x-custom'], 'v');
    assert.equal(req.headers.host, 'example.test');
  });

  test('redirects on the same host are followed; one to another host stops with a Warning', async () => {
    http.redirects.set('/old', '/new');
    http.status.set('/new', 200);
    assert.deepEqual(await get('/old'), { result: 'Success', output: 'status 200 for /new' });
    http.redirects.set('/away', 'http://localhost.invalid/');
    assert.deepEqual(await get('/away'), { result: 'Warning', output: 'Probe terminated redirects, Response body: moved' });
    http.redirects.set('/loop', '/loop');
    const loop = await get('/loop');
    assert.equal(loop.result, 'Failure');
    assert.match(loop.output, /stopped after 10 redirects$/);
  });

  test('a refused connection and a timeout are failures with Go-like messages', async () => {
    const port = await freePort();
    assert.deepEqual(await httpProbe({ scheme: 'HTTP', host: '127.0.0.1', port, path: '/healthz', timeoutMs: 1000 }), {
      result: 'Failure',
      output: `Get "http://127.0.0.1:${port}/healthz": dial tcp 127.0.0.1:${port}: connect: connection refused`,
    });
    http.hang.add('/slow');
    assert.deepEqual(await get('/slow', { timeoutMs: 200 }), {
      result: 'Failure',
      output: `Get "http://127.0.0.1:${http.port}/slow": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
    });
  });
});

describe('httpGet probe over HTTPS', () => {
  test('HTTPS does not verify the certificate (a self-signed one is fine)', async () => {
    const keys = await generateKeyPair();
    const cert = await createCa(keys, { commonName: 'probe-target' }, 1);
    const server = createHttpsServer({ key: keys.privateKeyPem, cert }, (_req, res) => res.end('secure'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as { port: number }).port;
      assert.deepEqual(await httpProbe({ scheme: 'HTTPS', host: '127.0.0.1', port, path: '/', timeoutMs: 2000 }), { result: 'Success', output: 'secure' });
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('tcpSocket probe', () => {
  test('an open port succeeds and a closed one fails with connection refused', async () => {
    const srv = await listenTcp();
    assert.deepEqual(await tcpProbe('127.0.0.1', srv.port, 1000), { result: 'Success', output: '' });
    await srv.close();
    assert.deepEqual(await tcpProbe('127.0.0.1', srv.port, 1000), { result: 'Failure', output: `dial tcp 127.0.0.1:${srv.port}: connect: connection refused` });
  });
});

describe('grpc probe', () => {
  test('the health request and response encode as protobuf', () => {
    assert.deepEqual([...encodeHealthCheckRequest('db')], [0x0a, 2, 0x64, 0x62]);
    assert.equal(encodeHealthCheckRequest('').length, 0);
    assert.equal(decodeHealthCheckResponse(Buffer.from([0x08, 0x01])), 1);
    assert.equal(decodeHealthCheckResponse(Buffer.from([0x12, 0x01, 0x41, 0x08, 0x02])), 2, 'unknown fields are skipped');
  });

  test('SERVING succeeds; NOT_SERVING, an unknown service and a refused connection fail as upstream says', async () => {
    const srv = await startGrpcHealthServer({ '': 1, db: 2 });
    try {
      assert.deepEqual(await grpcProbe('127.0.0.1', srv.port, '', 1000), { result: 'Success', output: 'service is serving' });
      assert.deepEqual(await grpcProbe('127.0.0.1', srv.port, 'db', 1000), { result: 'Failure', output: 'service unhealthy (responded with "NOT_SERVING")' });
      assert.deepEqual(await grpcProbe('127.0.0.1', srv.port, 'cache', 1000), { result: 'Failure', output: 'error: health rpc probe failed: rpc error: code = NotFound desc = unknown service' });
    } finally {
      await srv.close();
    }
    const closed = await grpcProbe('127.0.0.1', srv.port, '', 1000);
    assert.equal(closed.result, 'Failure');
    assert.equal(closed.output, `error: failed to connect service at "127.0.0.1:${srv.port}": dial tcp 127.0.0.1:${srv.port}: connect: connection refused`);
  });

  test('an HTTP/1 server in place of a gRPC one fails the probe without waiting for the timeout', async () => {
    const t0 = Date.now();
    assert.deepEqual(await grpcProbe('127.0.0.1', http.port, '', 5000), {
      result: 'Failure',
      output: `error: failed to connect service at "127.0.0.1:${http.port}": connection closed before server preface received`,
    });
    assert.ok(Date.now() - t0 < 4000);
  });

  test('a server that does not speak the health protocol is reported as such', async () => {
    const http2 = await import('node:http2');
    const server = http2.createServer();
    server.on('stream', (stream) => stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '12', 'grpc-message': 'unknown service grpc.health.v1.Health' }, { endStream: true }));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      assert.deepEqual(await grpcProbe('127.0.0.1', port, '', 1000), {
        result: 'Failure',
        output: 'error: this server does not implement the grpc health protocol (grpc.health.v1.Health): unknown service grpc.health.v1.Health',
      });
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('exec probe', () => {
  test('exit 0 succeeds, another exit code fails with the combined output, a timeout fails naming the command', async () => {
    const rt = execRuntime();
    assert.deepEqual(await execProbe(rt, 'c1', ['sh', '-c', 'echo fine'], 1000), { result: 'Success', output: 'fine\n' });
    assert.deepEqual(await execProbe(rt, 'c1', ['sh', '-c', 'echo out; echo err >&2; exit 3'], 1000), { result: 'Failure', output: 'out\nerr\n' });
    assert.deepEqual(await execProbe(rt, 'c1', ['sleep', '5'], 150), { result: 'Failure', output: 'command "sleep 5" timed out' });
    assert.deepEqual(rt.calls.map((c) => c.timeoutMs), [1000, 1000, 150]);
  });
});

describe('port resolution', () => {
  const container = { name: 'c', ports: [{ name: 'http', containerPort: 8080 }] };
  test('numbers, named ports and numeric strings resolve; others fail with upstream messages', () => {
    assert.equal(resolveContainerPort(80, container), 80);
    assert.equal(resolveContainerPort('http', container), 8080);
    assert.equal(resolveContainerPort('9090', container), 9090);
    assert.throws(() => resolveContainerPort('metrics', container), /^Error: port metrics not found$/);
    assert.throws(() => resolveContainerPort(70000, container), /^Error: invalid port number: 70000$/);
  });
});
