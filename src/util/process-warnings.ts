// Node prints process warnings to stderr as free text, which breaks k8ts's one-JSON-object-per-line
// logs (and its text format). The printer is Node's own listener on 'warning': replacing it sends
// each warning through the component's logger instead, once, as Node would have printed it.
import type { Logger } from './log.js';

/**
 * Warnings with nothing for the user to act on, logged at debug: DEP0123 is raised by the etcd
 * client's gRPC library, which sets the TLS server name to the endpoint's host even when that is
 * an IP address (the certificate is still checked against the IP).
 */
const quiet = new Set(['DEP0123']);

export function logProcessWarnings(log: Logger): void {
  process.removeAllListeners('warning');
  process.on('warning', (w: Error & { code?: string }) => {
    const fields = { warning: w.name, code: w.code, detail: w.message };
    if (w.code && quiet.has(w.code)) log.debug(fields, 'node warning');
    else log.warn(fields, 'node warning');
  });
}
