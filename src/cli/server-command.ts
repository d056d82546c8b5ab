// The action behind `k8ts server` (API server, controllers, scheduler): start, print one ready line on
// stdout, run until SIGINT/SIGTERM.
import { createLogger } from '../util/log.js';
import { logProcessWarnings } from '../util/process-warnings.js';
import { CliError, messageOf } from './errors.js';
import { controlPlaneOptions, normalizeFlags, type ServerFlags } from './server-options.js';
import { shutdownFromStart } from './shutdown.js';
import { prepareDataDir } from './data-dir.js';

export async function runServer(rawFlags: ServerFlags): Promise<void> {
  const flags = normalizeFlags(rawFlags);
  let log;
  try {
    log = createLogger('k8ts', { level: flags.logLevel });
  } catch (err) {
    throw new CliError(messageOf(err), { cause: err });
  }
  logProcessWarnings(log);
  // Checked before the API server's modules load, so a bad --data-dir fails fast.
  prepareDataDir(flags.dataDir);
  const shutdown = shutdownFromStart(log);
  const { startServer } = await import('./start-server.js');
  const server = await shutdown.step(
    () => startServer(controlPlaneOptions(flags, log)),
    (s) => s.close(),
  );
  // performance.now() counts from process start: this is the time a user waits.
  log.info({ url: server.url, storage: flags.storage, startupMs: Math.round(performance.now()) }, 'ready');
  process.stdout.write(`k8ts API server ready at ${server.url} — export KUBECONFIG=${server.kubeconfigPath}\n`);
}
