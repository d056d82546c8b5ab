// tcpSocket probe: success when a TCP connection opens within the timeout (upstream pkg/probe/tcp).
import { connect } from 'node:net';
import { joinHostPort, type ProbeOutcome } from './result.js';
import { dialError } from './net-errors.js';

export function tcpProbe(host: string, port: number, timeoutMs: number): Promise<ProbeOutcome> {
  const addr = joinHostPort(host, port);
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ result: 'Failure', output: `dial tcp ${addr}: i/o timeout` });
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ result: 'Success', output: '' });
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      resolve({ result: 'Failure', output: dialError(addr, err) });
    });
  });
}
