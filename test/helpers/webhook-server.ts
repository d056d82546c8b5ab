// A real HTTPS webhook server for tests (admission and conversion webhooks): a certificate for
// 127.0.0.1 (and any DNS names given) from a fresh CA of our own PKI code, whose bundle goes into
// the webhook's clientConfig.caBundle. Each request's JSON body goes to `answer`; undefined
// leaves the request unanswered (the API server's timeout decides).
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createCa, issueLeaf } from '../../src/auth/pki/issue.js';
import { generateKeyPair } from '../../src/auth/pki/keys.js';

export interface WebhookServer {
  port: number;
  /** The CA's certificate, base64-encoded PEM, as clientConfig.caBundle takes it. */
  caBundle: string;
  close(): void;
}

export async function startWebhookServer(answer: (path: string, body: unknown) => object | undefined, opts: { dnsNames?: string[] } = {}): Promise<WebhookServer> {
  const caKeys = await generateKeyPair();
  const ca = { certPem: await createCa(caKeys, { commonName: 'webhook-ca' }, 1), keys: caKeys };
  const keys = await generateKeyPair();
  const cert = await issueLeaf(ca, keys, { subject: { commonName: 'webhook' }, usage: 'server', validityDays: 1, ips: ['127.0.0.1'], dnsNames: opts.dnsNames ?? [] });
  const server = createServer({ cert, key: keys.privateKeyPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (b: Buffer) => chunks.push(b));
    req.on('end', () => {
      const reply = answer(req.url ?? '', JSON.parse(Buffer.concat(chunks).toString('utf8')));
      if (!reply) return;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(reply));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    caBundle: Buffer.from(ca.certPem).toString('base64'),
    close() {
      server.closeAllConnections();
      server.close();
    },
  };
}
