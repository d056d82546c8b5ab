// @peculiar/x509, loaded after its Reflect prerequisite and wired to Node's WebCrypto.
// Import x509 from here, never from '@peculiar/x509' directly, so the setup always runs first.
import './reflect-shim.js';
import { createRequire } from 'node:module';
import { webcrypto } from 'node:crypto';
import type * as X509 from '@peculiar/x509';

// The package is CommonJS. Loading it with require() skips the ESM wrapper around a 200 kB
// bundle and its dependencies, which measured about half of its load time — the larger part of a
// first start.
const require = createRequire(import.meta.url);
export const x509 = require('@peculiar/x509') as typeof X509;

x509.cryptoProvider.set(webcrypto as unknown as Crypto);
