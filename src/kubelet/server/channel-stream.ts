// kubectl exec/attach over WebSocket (the channel.k8s.io subprotocols kubectl ≥ 1.30 speaks):
// every binary message starts with a channel byte — 0 stdin, 1 stdout, 2 stderr, 3 error (a
// Status as JSON, written once when the session ends), 4 resize ({"Width","Height"}). v5 adds
// channel 255, on which the client announces that it closed one of its streams (stdin).
import type { WebSocket } from 'ws';
import type { StreamSession } from '../runtime/types.js';
import { errorStatus, exitStatus } from './exec-status.js';

export const CHANNEL_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];

const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const ERROR = 3;
const RESIZE = 4;
const CLOSE = 255;

function send(ws: WebSocket, channel: number, data: Buffer | string): void {
  if (ws.readyState !== ws.OPEN) return;
  const body = typeof data === 'string' ? Buffer.from(data) : data;
  ws.send(Buffer.concat([Buffer.from([channel]), body]));
}

/**
 * How long the process start waits after the handshake. kubectl's WebSocket executor (client-go
 * 1.30–1.32) registers its streams only after the upgrade and drops frames for streams it does not
 * know yet ("Unknown stream id 1, discarding message", then "closed all streams"); upstream's path
 * (API server → kubelet → CRI → runc) takes tens of milliseconds before a process writes, but a
 * process started here can answer within a few, which a busy client loses.
 */
const CLIENT_STREAM_SETUP_MS = 30;

/** Wires a runtime session to the socket and resolves when both are done. */
export async function serveChannels(ws: WebSocket, open: () => Promise<StreamSession>, command: string[]): Promise<void> {
  let session: StreamSession | undefined;
  // What the client sends before the session exists (stdin, a resize, its stdin close) is kept.
  const early: Buffer[] = [];
  const handle = (s: StreamSession, buf: Buffer) => {
    if (buf.length === 0) return;
    const channel = buf[0]!;
    const payload = buf.subarray(1);
    if (channel === STDIN) s.stdin?.write(payload);
    else if (channel === RESIZE) {
      try {
        const { Width, Height } = JSON.parse(payload.toString()) as { Width: number; Height: number };
        s.resize(Width, Height);
      } catch {
        // A malformed resize is ignored, as upstream's handleResizeEvents does.
      }
    } else if (channel === CLOSE && payload[0] === STDIN) s.stdin?.end();
  };
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    const buf = isBinary ? data : Buffer.from(data);
    if (session) handle(session, buf);
    else early.push(buf);
  });
  await new Promise((resolve) => setTimeout(resolve, CLIENT_STREAM_SETUP_MS));
  try {
    session = await open();
  } catch (err) {
    send(ws, ERROR, JSON.stringify(errorStatus((err as Error).message)));
    ws.close(1000);
    return;
  }
  const opened = session;
  for (const buf of early.splice(0)) handle(opened, buf);
  const hangUp = () => {
    opened.stdin?.end();
    opened.kill();
  };
  if (ws.readyState === ws.CLOSED || ws.readyState === ws.CLOSING) hangUp();
  else ws.on('close', hangUp);
  const drained = (s: NodeJS.ReadableStream | undefined, channel: number) =>
    new Promise<void>((resolve) => {
      if (!s) return resolve();
      s.on('data', (chunk: Buffer) => send(ws, channel, chunk));
      s.on('end', resolve);
      s.on('close', resolve);
      s.on('error', () => resolve());
    });
  const [code] = await Promise.all([opened.exited, drained(opened.stdout, STDOUT), drained(opened.stderr, STDERR)]);
  send(ws, ERROR, JSON.stringify(exitStatus(code, command)));
  ws.close(1000);
}
