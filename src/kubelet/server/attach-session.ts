// What an attach session does when the client's stdin ends, and what it reports at the end, as
// upstream (containerd's ContainerIO.Attach and the kubelet's ServeAttach):
//   - a container with stdinOnce and no tty: the runtime closes the container's stdin (the program
//     reads EOF — `kubectl run -i --rm` relies on it) and output keeps flowing until it exits;
//   - otherwise the session ends (its output streams close, kubectl attach returns) while the
//     container keeps running with its stdin open for the next attach;
//   - the session always ends with Success: attach has no exit code (kubectl run reads the
//     container's from the pod's status).
import { PassThrough } from 'node:stream';
import type { StreamSession } from '../runtime/types.js';

export interface AttachPolicy {
  stdinOnce: boolean;
  tty: boolean;
}

export function attachSession(session: StreamSession, policy: AttachPolicy): StreamSession {
  const closesContainerStdin = policy.stdinOnce && !policy.tty;
  let stdin: PassThrough | undefined;
  if (session.stdin) {
    const target = session.stdin;
    stdin = new PassThrough();
    stdin.pipe(target);
    // pipe() ended the runtime's stdin (closing the container's with stdinOnce, see the runtime).
    stdin.on('end', () => {
      if (!closesContainerStdin) session.kill();
    });
  }
  return {
    stdin,
    stdout: session.stdout,
    stderr: session.stderr,
    resize: (cols, rows) => session.resize(cols, rows),
    exited: session.exited.then(() => 0),
    kill: () => session.kill(),
  };
}
