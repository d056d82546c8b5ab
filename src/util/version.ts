// What this build is and which Kubernetes it speaks: for `k8ts version`, /version and logs.
import { readFileSync } from 'node:fs';

// src/util/version.ts and dist/util/version.js are both two levels below the package root.
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** The k8ts package version, e.g. "0.1.0". */
export const K8TS_VERSION: string = pkg.version;

/** The Kubernetes minor release whose API (and kubectl) k8ts follows. */
export const KUBERNETES_MAJOR = '1';
export const KUBERNETES_MINOR = '32';
