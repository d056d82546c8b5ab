// What this build is and which Kubernetes it speaks: for `k8ts version`, /version and logs.
import { existsSync, readFileSync } from 'node:fs';

/** The nearest package.json above this module: src/util/, dist/util/ or the one-file bundle in dist/. */
function packageJson(): { version: string } {
  for (let dir = new URL('./', import.meta.url); ; dir = new URL('../', dir)) {
    const file = new URL('package.json', dir);
    if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as { version: string };
    if (dir.pathname === '/') throw new Error('k8ts: package.json not found above ' + import.meta.url);
  }
}

/** The k8ts package version, e.g. "0.1.0". */
export const K8TS_VERSION: string = packageJson().version;

/** The Kubernetes minor release whose API (and kubectl) k8ts follows. */
export const KUBERNETES_MAJOR = '1';
export const KUBERNETES_MINOR = '32';
