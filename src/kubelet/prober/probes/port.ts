// Resolves a probe's or hook's port: a number, a named port of the container, or a number written
// as a string (upstream probe util ResolveContainerPort). Throws with upstream's messages.
import type { Container } from 'kubernetes-types/core/v1.js';

export function resolveContainerPort(port: number | string, container: Container): number {
  let n: number;
  if (typeof port === 'number') {
    n = port;
  } else {
    const named = container.ports?.find((p) => p.name === port);
    if (named) n = named.containerPort;
    else if (/^[+-]?\d+$/.test(port)) n = Number(port);
    else throw new Error(`port ${port} not found`);
  }
  if (n > 0 && n < 65536) return n;
  throw new Error(`invalid port number: ${n}`);
}
