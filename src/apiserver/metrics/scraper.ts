// metrics-server's scrape loop (pkg/scraper, pkg/server): every resolution, each node's kubelet
// /metrics/resource is fetched (at once, each bounded by a timeout) and the batch stored. Unlike
// metrics-server it runs only while someone asks: the first request starts it, scraping at once
// and again after a short first window so that usage is there within about a second, and it
// stops after `idleMs` without a request (its points are then dropped; a later request starts
// over). No work at all is done for a cluster nobody asks for metrics.
import type { Logger } from 'pino';
import { decodeBatch, type MetricsBatch } from './decode.js';
import { parsePrometheusText } from './prometheus-text.js';
import { MetricsStorage } from './storage.js';

/** metrics-server's --metric-resolution default is 60 s; 15 s here (what HPA syncs at). */
export const DEFAULT_METRIC_RESOLUTION_MS = 15_000;
/** The window of the first two scrapes after a start. */
const FIRST_WINDOW_MS = 1000;
const DEFAULT_IDLE_MS = 10 * 60_000;

export interface MetricsScraperOptions {
  resolutionMs?: number;
  /** Names of the nodes to scrape. */
  nodeNames(): Promise<string[]>;
  /** The body of a node's /metrics/resource. */
  fetch(nodeName: string, timeoutMs: number): Promise<string>;
  idleMs?: number;
  now?: () => number;
  log?: Logger;
}

export class MetricsScraper {
  readonly storage: MetricsStorage;
  private readonly resolutionMs: number;
  private readonly idleMs: number;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  /** Settles when the first two scrapes after a start are done. */
  private ready: Promise<void> | undefined;
  private lastAsked = 0;
  private stopped = false;

  constructor(private readonly o: MetricsScraperOptions) {
    this.resolutionMs = o.resolutionMs ?? DEFAULT_METRIC_RESOLUTION_MS;
    this.idleMs = o.idleMs ?? DEFAULT_IDLE_MS;
    this.now = o.now ?? Date.now;
    this.storage = new MetricsStorage(this.resolutionMs);
  }

  /** Called by every metrics request: starts scraping if it is not running, and waits for the first usage. */
  async demand(): Promise<void> {
    this.lastAsked = this.now();
    if (this.stopped) return;
    this.ready ??= this.start();
    await this.ready;
  }

  private async start(): Promise<void> {
    await this.scrape();
    await new Promise((resolve) => setTimeout(resolve, Math.min(FIRST_WINDOW_MS, this.resolutionMs)).unref());
    if (this.stopped) return;
    await this.scrape();
    this.schedule();
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.stopped) return;
      if (this.now() - this.lastAsked > this.idleMs) {
        this.storage.clear();
        this.ready = undefined;
        return;
      }
      this.scrape().finally(() => this.schedule());
    }, this.resolutionMs);
    // Scraping never keeps the process alive.
    this.timer.unref();
  }

  /** One scrape of every node; a node that fails is left out of the batch (its points go). */
  async scrape(): Promise<void> {
    const names = await this.o.nodeNames().catch((err: unknown) => {
      this.o.log?.warn({ err }, 'metrics: listing nodes failed');
      return [];
    });
    // metrics-server bounds a scrape at 0.9 of the resolution (its --kubelet-request-timeout aside).
    const timeoutMs = Math.max(500, Math.floor(this.resolutionMs * 0.9));
    const batches = new Map<string, MetricsBatch>();
    await Promise.all(
      names.map(async (name) => {
        try {
          batches.set(name, decodeBatch(parsePrometheusText(await this.o.fetch(name, timeoutMs))));
        } catch (err) {
          this.o.log?.warn({ err, node: name }, 'metrics: scraping the node failed');
        }
      }),
    );
    if (!this.stopped) this.storage.store(batches);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
