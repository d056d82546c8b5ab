// `npm run build`: the whole program as one ES module, dist/k8ts.mjs, which bin/k8ts runs.
// One file instead of ~1,000 (our modules plus their dependencies) because a cluster that must be
// up in a second cannot spend a third of it resolving, reading and linking modules: measured,
// loading what `k8ts up` needs took 2.5× the CPU as separate files. Type checking is not done
// here (`npm test` runs tsc --noEmit); better-sqlite3 stays outside because it is a native addon,
// and etcd3 because its gRPC client reads its .proto files from beside its own modules at load
// (with cockatiel, whose policies etcd3 runs: one copy of it, the one etcd3 requires).
import { build } from 'esbuild';

await build({
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/k8ts.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  external: ['better-sqlite3', 'etcd3', 'cockatiel'],
  // CommonJS dependencies bundled into an ES module still call require() for Node built-ins.
  banner: { js: "import { createRequire as __k8tsRequire } from 'node:module'; const require = __k8tsRequire(import.meta.url);" },
  logLevel: 'warning',
});
