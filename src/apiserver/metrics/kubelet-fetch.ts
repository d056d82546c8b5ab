// GET of a path on a node's kubelet, the way the API server reaches kubelets for logs and
// nodes/proxy (node-proxy.ts): the Node's preferred address and kubelet port, the API server's
// kubelet-client certificate, the kubelet's serving certificate not verified (as upstream
// without --kubelet-certificate-authority).
import { request as httpsRequest } from 'node:https';
import { kubeletAddress, type KubeletClientCredentials } from '../handlers/node-proxy.js';
import type { ApiServer } from '../server.js';

export async function kubeletGet(api: ApiServer, nodeName: string, path: string, timeoutMs: number, creds: KubeletClientCredentials | undefined): Promise<string> {
  const { host, port } = await kubeletAddress(api, nodeName);
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host, port, path, method: 'GET', cert: creds?.certPem, key: creds?.keyPem, rejectUnauthorized: false, timeout: timeoutMs, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) reject(new Error(`request failed, status: ${res.statusCode} ${body.slice(0, 200)}`));
        else resolve(body);
      });
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}
