// Node's socket errors phrased as Go's net package phrases them, so probe and hook messages read
// as they do on a real cluster ("dial tcp 10.0.0.5:8080: connect: connection refused").

const syscallText: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by peer',
  EHOSTUNREACH: 'no route to host',
  ENETUNREACH: 'network is unreachable',
  ETIMEDOUT: 'i/o timeout',
  EADDRNOTAVAIL: 'cannot assign requested address',
};

export function dialError(addr: string, err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const text = e.code ? syscallText[e.code] : undefined;
  if (text && e.syscall === 'connect') return `dial tcp ${addr}: connect: ${text}`;
  if (e.code === 'ENOTFOUND') return `dial tcp: lookup ${addr.replace(/:\d+$/, '')}: no such host`;
  if (text) return `read tcp ${addr}: ${text}`;
  return `dial tcp ${addr}: ${e.message ?? String(err)}`;
}
