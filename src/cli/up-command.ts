// `k8ts up`: the whole cluster on this machine in one process — API server, controllers,
// scheduler, node agent, service proxy and DNS — with a line per component as it becomes ready
// and the KUBECONFIG line to copy. Ctrl-C stops every pod gracefully, then everything else.
import { createLogger } from '../util/log.js';
import { logProcessWarnings } from '../util/process-warnings.js';
import { CliError, messageOf } from './errors.js';
import { controlPlaneOptions, normalizeFlags, type UpFlags } from './server-options.js';
import { shutdownFromStart } from './shutdown.js';
import { prepareDataDir } from './data-dir.js';

export async function runUp(rawFlags: UpFlags): Promise<void> {
  const flags = { ...rawFlags, ...normalizeFlags(rawFlags) };
  let log;
  try {
    log = createLogger('k8ts', { level: flags.logLevel });
  } catch (err) {
    throw new CliError(messageOf(err), { cause: err });
  }
  logProcessWarnings(log);
  prepareDataDir(flags.dataDir);
  const disabled = new Set(flags.disable);
  const announce = (line: string) => process.stdout.write(`${line}\n`);
  const shutdown = shutdownFromStart(log);
  const [{ startServer }, { startNode }, { hostServiceCidr, defaultProxyMode }] = await Promise.all([import('./start-server.js'), import('./start-node.js'), import('../proxy/proxy.js')]);
  // ClusterIPs must be addresses this host can reach: 10.96.0.0/12 routed locally as root, else loopback.
  const serviceCidr = flags.serviceCidr ?? hostServiceCidr();
  const server = await shutdown.step(
    () => startServer(controlPlaneOptions(flags, log, serviceCidr)),
    (s) => s.close(),
  );
  announce(`API server ready at ${server.url} (${Math.round(performance.now())} ms)`);
  await shutdown.step(
    async () =>
      startNode({
        server,
        dataDir: flags.dataDir,
        log,
        nodeName: flags.nodeName,
        podCidr: flags.podCidr,
        kubeletPort: flags.kubeletPort,
        serviceCidr,
        podManifestPath: flags.podManifestPath,
        proxyMode: flags.proxyMode ?? (disabled.has('proxy') ? undefined : await defaultProxyMode()),
        agent: !disabled.has('agent'),
        proxy: !disabled.has('proxy'),
        dns: !disabled.has('dns'),
        announce,
      }),
    (node) => node.close(),
  );
  log.info({ url: server.url, startupMs: Math.round(performance.now()) }, 'ready');
  announce(`k8ts cluster ready in ${Math.round(performance.now())} ms — export KUBECONFIG=${server.kubeconfigPath}`);
}
