// Static pods from a manifest URL (upstream config/http.go, --manifest-url): fetched at start and
// every `periodMs` (20 s). A failed fetch keeps the last good set.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Logger } from 'pino';
import { parseManifest, staticPod } from './static-pod.js';

export interface UrlSourceOptions {
  url: string;
  headers?: Record<string, string>;
  nodeName: string;
  log: Logger;
  periodMs?: number;
  onPods(pods: Pod[]): void;
}

export class UrlSource {
  private timer?: NodeJS.Timeout;
  private lastText?: string;

  constructor(private readonly o: UrlSourceOptions) {}

  start(): void {
    void this.poll();
    this.timer = setInterval(() => void this.poll(), this.o.periodMs ?? 20_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async poll(): Promise<void> {
    try {
      const res = await fetch(this.o.url, { headers: this.o.headers, signal: AbortSignal.timeout(10_000) });
      if (!res.ok) throw new Error(`${this.o.url}: HTTP ${res.status}`);
      const text = await res.text();
      if (text === this.lastText) return;
      const pods = parseManifest(text, this.o.url).map((p) => staticPod(p, this.o.nodeName, 'http', this.o.url));
      this.lastText = text;
      this.o.onPods(pods);
    } catch (err) {
      this.o.log.warn({ err, url: this.o.url }, 'cannot read the manifest URL');
    }
  }
}
