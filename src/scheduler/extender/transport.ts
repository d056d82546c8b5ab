// POSTs JSON to an extender over HTTP or HTTPS with one keep-alive agent per extender and an
// overall deadline (connect + request + response), as upstream's http.Client{Timeout}.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { ExtenderConfig } from './config.js';

export interface JsonPoster {
  post(url: string, body: unknown): Promise<{ status: number; body: string }>;
  close(): void;
}

/** PEM text, or base64 of it (Go []byte in JSON/YAML). */
const pem = (data: string) => (data.includes('-----BEGIN') ? data : Buffer.from(data, 'base64').toString('utf8'));

function tlsOptions(config: ExtenderConfig): https.AgentOptions {
  const t = config.tlsConfig ?? {};
  const opts: https.AgentOptions = {};
  const ca = t.caData ? pem(t.caData) : t.caFile ? readFileSync(t.caFile, 'utf8') : undefined;
  const cert = t.certData ? pem(t.certData) : t.certFile ? readFileSync(t.certFile, 'utf8') : undefined;
  const key = t.keyData ? pem(t.keyData) : t.keyFile ? readFileSync(t.keyFile, 'utf8') : undefined;
  if (ca) opts.ca = ca;
  if (cert) opts.cert = cert;
  if (key) opts.key = key;
  if (t.serverName) opts.servername = t.serverName;
  // Upstream: enableHTTPS without a CA means the certificate is not verified.
  if (t.insecure || (config.enableHTTPS && !ca)) opts.rejectUnauthorized = false;
  return opts;
}

export function newJsonPoster(config: ExtenderConfig, timeoutMs: number): JsonPoster {
  const httpAgent = new http.Agent({ keepAlive: true });
  const httpsAgent = new https.Agent({ keepAlive: true, ...tlsOptions(config) });
  return {
    post(url, body) {
      const u = new URL(url);
      const secure = u.protocol === 'https:';
      const payload = Buffer.from(JSON.stringify(body));
      return new Promise((resolve, reject) => {
        const req = (secure ? https : http).request(
          u,
          {
            method: 'POST',
            agent: secure ? httpsAgent : httpAgent,
            headers: { 'content-type': 'application/json', 'content-length': payload.length, accept: 'application/json' },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              clearTimeout(timer);
              resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
            });
            res.on('error', (e) => {
              clearTimeout(timer);
              reject(e);
            });
          },
        );
        const timer = setTimeout(() => req.destroy(new Error(`Post "${url}": context deadline exceeded (Client.Timeout exceeded after ${timeoutMs}ms)`)), timeoutMs);
        req.on('error', (e) => {
          clearTimeout(timer);
          reject(e);
        });
        req.end(payload);
      });
    },
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
