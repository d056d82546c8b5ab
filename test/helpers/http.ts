// Plain HTTP from a test to a Service or pod.
import { get } from 'node:http';

/**
 * One GET of `/` on a new connection, resolved with the body. A new connection each time matters
 * through the service proxy: both of its modes balance per connection, not per request.
 */
export function getOnce(host: string, port: number, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host, port, path: '/', agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve(body));
    })
      .on('error', reject)
      .on('timeout', function (this: { destroy(err: Error): void }) {
        this.destroy(new Error('timed out'));
      });
  });
}
