// terminationMessagePath support: each container attempt gets a file under the pod's directory,
// mounted at its terminationMessagePath; on exit the kubelet reads it (at most 4096 bytes, as
// upstream), or with FallbackToLogsOnError and a failure, the tail of the container's log
// (80 lines, 2048 bytes, as upstream's kubecontainer.MaxContainerTerminationMessageLogLength).
import { closeSync, openSync, readSync, fstatSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Container as SpecContainer } from 'kubernetes-types/core/v1.js';
import type { ContainerStatus } from './runtime/types.js';
import { terminationMessageFileAnnotation } from './container-labels.js';

const maxMessageBytes = 4096;
const maxLogLines = 80;
const maxLogBytes = 2048;

/** Creates the (empty) message file of one container attempt and returns its host path (off the event loop: the pod start path). */
export async function createTerminationMessageFile(rootDir: string, podUid: string, containerName: string, attempt: number): Promise<string> {
  const file = join(rootDir, 'pods', podUid, 'containers', containerName, `${attempt}-termination-log`);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, '');
  return file;
}

/** Reads termination messages, remembering them per container id (an exited container does not change). */
export class TerminationMessages {
  private readonly cache = new Map<string, string>();

  read(s: ContainerStatus, spec: SpecContainer): string | undefined {
    if (s.state !== 'Exited') return undefined;
    const hit = this.cache.get(s.id);
    if (hit !== undefined) return hit || undefined;
    let msg = '';
    const file = s.annotations[terminationMessageFileAnnotation];
    if (file) msg = readTail(file, maxMessageBytes, false);
    if (!msg && spec.terminationMessagePolicy === 'FallbackToLogsOnError' && s.exitCode !== 0 && s.logPath) {
      msg = logTail(s.logPath);
    }
    if (!msg && s.message) msg = s.message;
    this.cache.set(s.id, msg);
    return msg || undefined;
  }

  forget(ids: Iterable<string>): void {
    for (const id of ids) this.cache.delete(id);
  }
}

function readTail(file: string, maxBytes: number, tail: boolean): string {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    const len = Math.min(size, maxBytes);
    const buf = Buffer.alloc(len);
    readSync(fd, buf, 0, len, tail ? size - len : 0);
    return buf.toString('utf8');
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The last lines of a CRI-format log, as plain text. */
function logTail(path: string): string {
  const raw = readTail(path, 64 * 1024, true);
  const lines: string[] = [];
  let partial = '';
  for (const rec of raw.split('\n')) {
    // TIMESTAMP STREAM TAG CONTENT
    const m = /^\S+ (?:stdout|stderr) ([PF]) ?(.*)$/.exec(rec);
    if (!m) continue;
    if (m[1] === 'P') partial += m[2];
    else {
      lines.push(partial + m[2]);
      partial = '';
    }
  }
  let text = lines.slice(-maxLogLines).join('\n');
  if (lines.length) text += '\n';
  const bytes = Buffer.from(text);
  return bytes.length > maxLogBytes ? bytes.subarray(bytes.length - maxLogBytes).toString('utf8') : text;
}
