// exec, attach and port-forward over SPDY/3.1 — what kubectl ≤ 1.29 speaks, and what newer
// kubectl falls back to (port-forward tunnels these same SPDY frames inside a WebSocket).
//
// remotecommand (exec/attach): the client opens an `error` stream, then `stdin`, `stdout`,
// `stderr` and (with a tty) `resize` as the query asked; the session starts once all expected
// streams exist. At the end the error stream carries the Status (protocol v4) or a plain message
// (v1–v3), and every stream is closed.
// portforward.k8s.io: per forwarded connection an `error` and a `data` stream with the same
// `requestid` and a `port`; the data stream is spliced to the pod's port.
import type { Socket } from 'node:net';
import type { StreamSession } from '../runtime/types.js';
import { exitStatus, errorStatus } from './exec-status.js';
import type { SpdyServerSession, SpdyStream } from './spdy/session.js';

export const REMOTECOMMAND_PROTOCOLS = ['v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'];
export const PORTFORWARD_PROTOCOL = 'portforward.k8s.io';

const STREAM_CREATION_TIMEOUT_MS = 30_000;

export interface RemoteCommandRequest {
  protocol: string;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
  command: string[];
  open(): Promise<StreamSession>;
}

export function serveRemoteCommand(session: SpdyServerSession, req: RemoteCommandRequest): Promise<void> {
  const expected = new Set(['error']);
  if (req.stdin) expected.add('stdin');
  if (req.stdout) expected.add('stdout');
  if (req.stderr && !req.tty) expected.add('stderr');
  if (req.tty && req.protocol !== 'v2.channel.k8s.io' && req.protocol !== 'channel.k8s.io') expected.add('resize');
  const streams = new Map<string, SpdyStream>();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => session.close(), STREAM_CREATION_TIMEOUT_MS);
    session.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
    session.on('stream', (s: SpdyStream) => {
      const type = s.headers.streamtype ?? '';
      streams.set(type, s);
      if (![...expected].every((t) => streams.has(t))) return;
      clearTimeout(timer);
      run(streams, req)
        .catch(() => undefined)
        .finally(() => {
          // Let the last frames reach the socket before it closes.
          setTimeout(() => session.close(), 50);
          resolve();
        });
    });
  });
}

async function run(streams: Map<string, SpdyStream>, req: RemoteCommandRequest): Promise<void> {
  const errorStream = streams.get('error')!;
  const writeError = (status: Record<string, unknown>) => {
    if (req.protocol === 'v4.channel.k8s.io') errorStream.write(JSON.stringify(status));
    else if (status.status !== 'Success') errorStream.write(String(status.message ?? 'error'));
  };
  let session: StreamSession;
  try {
    session = await req.open();
  } catch (err) {
    writeError(errorStatus((err as Error).message));
    errorStream.end();
    return;
  }
  const stdin = streams.get('stdin');
  if (stdin && session.stdin) stdin.pipe(session.stdin);
  const resize = streams.get('resize');
  if (resize) {
    let pending = '';
    resize.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      // A sequence of JSON objects, as Go's json.Decoder reads them.
      for (;;) {
        const end = pending.indexOf('}');
        if (end < 0) break;
        try {
          const { Width, Height } = JSON.parse(pending.slice(0, end + 1)) as { Width: number; Height: number };
          session.resize(Width, Height);
        } catch {
          // ignore a malformed size
        }
        pending = pending.slice(end + 1);
      }
    });
  }
  const drained = (from: NodeJS.ReadableStream | undefined, to: SpdyStream | undefined) =>
    new Promise<void>((resolve) => {
      if (!from) return resolve();
      from.on('data', (chunk: Buffer) => to?.write(chunk));
      from.on('end', resolve);
      from.on('close', resolve);
      from.on('error', () => resolve());
    });
  const [code] = await Promise.all([session.exited, drained(session.stdout, streams.get('stdout')), drained(session.stderr, streams.get('stderr'))]);
  streams.get('stdout')?.end();
  streams.get('stderr')?.end();
  writeError(exitStatus(code, req.command));
  errorStream.end();
}

export function servePortForward(session: SpdyServerSession, connect: (port: number) => Promise<Socket>, describe: string): Promise<void> {
  const pairs = new Map<string, { error?: SpdyStream; data?: SpdyStream }>();
  return new Promise<void>((resolve) => {
    session.on('close', resolve);
    session.on('stream', (s: SpdyStream) => {
      const requestId = s.headers.requestid ?? '';
      const pair = pairs.get(requestId) ?? {};
      pairs.set(requestId, pair);
      if (s.headers.streamtype === 'error') pair.error = s;
      else if (s.headers.streamtype === 'data') pair.data = s;
      else return s.destroy();
      if (!pair.error || !pair.data) return;
      pairs.delete(requestId);
      const { error, data } = pair;
      const port = Number(s.headers.port);
      connect(port).then(
        (socket) => {
          socket.pipe(data);
          data.pipe(socket);
          const done = () => {
            socket.destroy();
            data.end();
            error.end();
          };
          socket.on('close', done);
          socket.on('error', done);
          data.on('end', () => socket.end());
        },
        (err: Error) => {
          error.end(`error forwarding port ${port} to pod ${describe}: ${err.message}`);
          data.end();
        },
      );
    });
  });
}
