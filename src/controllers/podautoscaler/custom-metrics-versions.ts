// Which version of custom.metrics.k8s.io to ask (k8s.io/metrics pkg/client/custom_metrics
// discovery.go, apiVersionsFromDiscovery): adapters serve v1beta2, v1beta1 or both, and the
// controller must follow whichever the server offers. The choice is kept and dropped again after
// `recheckAfterMs` (kube-controller-manager runs PeriodicallyInvalidate every HPA sync period) or
// when the caller saw the chosen version vanish; the errors are upstream's texts.
import type { Client } from '../../client/rest/client.js';

export const CUSTOM_METRICS_GROUP = 'custom.metrics.k8s.io';
/** The versions this client can read (upstream's MetricVersions). */
const KNOWN_VERSIONS = ['v1beta2', 'v1beta1'];

export interface CustomMetricsVersions {
  /** The version to ask, from discovery when no fresh choice is kept. */
  preferred(): Promise<string>;
  /** Forgets the choice: the next preferred() asks discovery again. */
  invalidate(): void;
}

export function customMetricsVersions(client: Client, recheckAfterMs: number, now: () => number = Date.now): CustomMetricsVersions {
  let chosen: { version: string; atMs: number } | undefined;
  // Concurrent syncs share one discovery request.
  let choosing: Promise<string> | undefined;

  async function choose(): Promise<string> {
    const group = (await client.discovery.serverGroups()).find((g) => g.name === CUSTOM_METRICS_GROUP);
    if (!group) throw new Error(`no custom metrics API (${CUSTOM_METRICS_GROUP}) registered`);
    // chooseVersion: the group's preferred version if this client knows it, else the first it knows in the server's order.
    const version =
      group.preferredVersion && KNOWN_VERSIONS.includes(group.preferredVersion) ? group.preferredVersion : group.versions.find((v) => KNOWN_VERSIONS.includes(v));
    if (!version) throw new Error('no known available metric versions found');
    return version;
  }

  return {
    preferred() {
      if (chosen && now() - chosen.atMs < recheckAfterMs) return Promise.resolve(chosen.version);
      choosing ??= choose()
        .then((version) => {
          chosen = { version, atMs: now() };
          return version;
        })
        .finally(() => (choosing = undefined));
      return choosing;
    },
    invalidate() {
      chosen = undefined;
    },
  };
}
