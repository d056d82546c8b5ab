// The k8ts command line. Subcommand implementations are imported when run, so `k8ts version`
// and `--help` load nothing of the server.
import { Command } from 'commander';
import { K8TS_VERSION, KUBERNETES_MAJOR, KUBERNETES_MINOR } from '../util/version.js';
import { reportError } from './errors.js';
import { addServerOptions, DEFAULT_DATA_DIR, type ServerFlags } from './server-options.js';

const program = new Command('k8ts')
  .description('A Kubernetes-compatible cluster in one Node.js process.')
  .version(K8TS_VERSION, '--version', 'print the k8ts version');

const serve = async (flags: ServerFlags) => {
  const { runServer } = await import('./server-command.js');
  await runServer(flags);
};

addServerOptions(
  program
    .command('up')
    .description(`run a cluster on this machine (data in ${DEFAULT_DATA_DIR} unless --data-dir); prints a KUBECONFIG to use`),
).action(serve);

addServerOptions(
  program
    .command('server')
    .description(`run the API server (data in ${DEFAULT_DATA_DIR} unless --data-dir); writes DATA_DIR/kubeconfig for the admin`),
).action(serve);

const seconds = (v: string) => {
  const n = Number(v.replace(/s$/, ''));
  if (!Number.isFinite(n) || n <= 0) throw new Error(`not a duration in seconds: ${v}`);
  return n;
};

program
  .command('controller-manager')
  .description('run the controllers against a cluster (kubeconfig from --kubeconfig, $KUBECONFIG, ~/.kube/config or in-cluster)')
  .option('--kubeconfig <path>', 'kubeconfig to use')
  .option('--context <name>', 'kubeconfig context to use')
  .option('--controllers <list>', 'controllers to run: "*", names, "-name" to disable one', '*')
  .option('--no-leader-elect', 'run without leader election (only one instance may run then)')
  .option('--leader-elect-lease-duration <seconds>', 'lease duration', seconds, 15)
  .option('--leader-elect-renew-deadline <seconds>', 'renew deadline', seconds, 10)
  .option('--leader-elect-retry-period <seconds>', 'retry period', seconds, 2)
  .option('--log-level <level>', 'trace, debug, info, warn or error (default: $K8TS_LOG_LEVEL or info)')
  .action(async (flags) => {
    const { runControllerManagerCommand } = await import('./controller-manager-command.js');
    await runControllerManagerCommand(flags);
  });

program
  .command('version')
  .description('print the k8ts version and the Kubernetes API version it serves')
  .action(() => {
    process.stdout.write(`k8ts ${K8TS_VERSION} (Kubernetes v${KUBERNETES_MAJOR}.${KUBERNETES_MINOR} API, Node.js ${process.version})\n`);
  });

try {
  await program.parseAsync(process.argv);
} catch (err) {
  // Exit now: a half-started server may hold handles that would keep the process alive.
  process.exit(reportError(err));
}
