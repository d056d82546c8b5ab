// Static pod manifests from a directory (upstream config/file.go): every *.yaml, *.yml and *.json
// file not starting with "." is read at start, on a change notification from fs.watch, and every
// `periodMs` (20 s, upstream's --file-check-frequency) as a fallback. A file that does not parse
// is logged and skipped; the pods of other files stay.
import { existsSync, readdirSync, readFileSync, statSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Logger } from 'pino';
import { parseManifest, staticPod } from './static-pod.js';

export interface FileSourceOptions {
  path: string;
  nodeName: string;
  log: Logger;
  periodMs?: number;
  onPods(pods: Pod[]): void;
}

export class FileSource {
  private timer?: NodeJS.Timeout;
  private watcher?: FSWatcher;
  private debounce?: NodeJS.Timeout;

  constructor(private readonly o: FileSourceOptions) {}

  start(): void {
    this.scan();
    this.timer = setInterval(() => this.scan(), this.o.periodMs ?? 20_000);
    this.timer.unref();
    try {
      if (existsSync(this.o.path)) {
        this.watcher = watch(this.o.path, () => {
          clearTimeout(this.debounce);
          this.debounce = setTimeout(() => this.scan(), 50);
        });
        this.watcher.on('error', () => undefined);
      }
    } catch {
      // Polling alone still works.
    }
  }

  stop(): void {
    clearInterval(this.timer);
    clearTimeout(this.debounce);
    this.watcher?.close();
  }

  /** Reads the directory (or a single file) now. */
  scan(): void {
    const pods: Pod[] = [];
    let files: string[] = [];
    try {
      const st = statSync(this.o.path);
      files = st.isDirectory() ? readdirSync(this.o.path).filter((f) => !f.startsWith('.') && /\.(ya?ml|json)$/i.test(f)).sort().map((f) => join(this.o.path, f)) : [this.o.path];
    } catch {
      // A missing directory means no static pods (upstream logs and waits for it).
    }
    for (const file of files) {
      try {
        for (const p of parseManifest(readFileSync(file, 'utf8'), file)) pods.push(staticPod(p, this.o.nodeName, 'file', file));
      } catch (err) {
        this.o.log.warn({ err, file }, 'cannot read static pod manifest');
      }
    }
    this.o.onPods(pods);
  }
}
