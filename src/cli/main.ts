// The k8ts command line. Subcommand implementations are imported when run, so `k8ts version`
// and `--help` load nothing of the server.
import { Command } from 'commander';
import { K8TS_VERSION, KUBERNETES_MAJOR, KUBERNETES_MINOR } from '../util/version.js';
import { reportError } from './errors.js';
import { addServerOptions, addUpOptions, DEFAULT_DATA_DIR, type ServerFlags, type UpFlags } from './server-options.js';

const program = new Command('k8ts')
  .description('A Kubernetes-compatible cluster in one Node.js process.')
  .version(K8TS_VERSION, '--version', 'print the k8ts version');

const serve = async (flags: ServerFlags) => {
  const { runServer } = await import('./server-command.js');
  await runServer(flags);
};

addUpOptions(
  program
    .command('up')
    .description(`run a whole cluster on this machine — API server, controllers, scheduler, node agent, service proxy, DNS (data in ${DEFAULT_DATA_DIR} unless --data-dir); prints a KUBECONFIG to use`),
).action(async (flags: UpFlags) => {
  const { runUp } = await import('./up-command.js');
  await runUp(flags);
});

addServerOptions(
  program
    .command('server')
    .description(`run the control plane — API server, controllers, scheduler (data in ${DEFAULT_DATA_DIR} unless --data-dir); writes DATA_DIR/kubeconfig for the admin`),
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
  .option('--cluster-signing-cert-file <path>', 'CA certificate (PEM) that signs approved kubelet and client CSRs')
  .option('--cluster-signing-key-file <path>', 'its private key (PEM)')
  .option(
    '--use-service-account-credentials',
    'run each controller as its own ServiceAccount in kube-system (created if missing), with a token from the TokenRequest API refreshed before it expires, under its system:controller:* role; on by default here, as kubeadm sets it and as `k8ts server` runs its controllers (kube-controller-manager\'s own default is off)',
    true,
  )
  .option('--no-use-service-account-credentials', 'run every controller with the kubeconfig\'s credential instead')
  .option('--log-level <level>', 'trace, debug, info, warn or error (default: $K8TS_LOG_LEVEL or info)')
  .action(async (flags) => {
    const { runControllerManagerCommand } = await import('./controller-manager-command.js');
    await runControllerManagerCommand(flags);
  });

program
  .command('scheduler')
  .description('run the scheduler against a cluster (kubeconfig from --kubeconfig, $KUBECONFIG, ~/.kube/config or in-cluster)')
  .option('--kubeconfig <path>', 'kubeconfig to use')
  .option('--context <name>', 'kubeconfig context to use')
  .option('--config <path>', 'a KubeSchedulerConfiguration file (kubescheduler.config.k8s.io/v1)')
  .option('--no-leader-elect', 'run without leader election (only one instance may run then)')
  .option('--leader-elect-lease-duration <seconds>', 'lease duration', seconds, 15)
  .option('--leader-elect-renew-deadline <seconds>', 'renew deadline', seconds, 10)
  .option('--leader-elect-retry-period <seconds>', 'retry period', seconds, 2)
  .option('--metrics-bind-address <host:port>', 'where /metrics, /healthz, /livez and /readyz are served over plain HTTP (port 0: any free port; empty: not served)', '127.0.0.1:10259')
  .option('--log-level <level>', 'trace, debug, info, warn or error (default: $K8TS_LOG_LEVEL or info)')
  .action(async (flags) => {
    const { runSchedulerCommand } = await import('./scheduler-command.js');
    await runSchedulerCommand(flags);
  });

program
  .command('descheduler')
  .description('run the descheduler (kubernetes-sigs/descheduler) against a cluster: evicts pods a DeschedulerPolicy says should move')
  .option('--kubeconfig <path>', 'kubeconfig to use')
  .option('--context <name>', 'kubeconfig context to use')
  .option('--policy <path>', 'a DeschedulerPolicy file (descheduler/v1alpha2)')
  .option('--descheduling-interval <duration>', 'time between passes, e.g. 5m (0: one pass, then exit)', '0')
  .option('--dry-run', 'log the pods that would be evicted; evict nothing', false)
  .option('--leader-elect', 'run only while holding the kube-system/descheduler Lease (needs an interval)', false)
  .option('--leader-elect-lease-duration <seconds>', 'lease duration', seconds, 15)
  .option('--leader-elect-renew-deadline <seconds>', 'renew deadline', seconds, 10)
  .option('--leader-elect-retry-period <seconds>', 'retry period', seconds, 2)
  .option('--metrics-bind-address <host:port>', 'where /metrics, /healthz, /livez and /readyz are served over plain HTTP (port 0: any free port; empty: not served)', '')
  .option('--log-level <level>', 'trace, debug, info, warn or error (default: $K8TS_LOG_LEVEL or info)')
  .action(async (flags) => {
    const { runDeschedulerCommand } = await import('./descheduler-command.js');
    await runDeschedulerCommand(flags);
  });

program
  .command('proxy')
  .description('run the service proxy (and with --cluster-dns, cluster DNS behind kube-system/kube-dns) against a cluster')
  .option('--kubeconfig <path>', 'kubeconfig to use')
  .option('--context <name>', 'kubeconfig context to use')
  .option('--hostname-override <name>', 'node name (default: the host name)')
  .option('--proxy-mode <mode>', 'nftables, iptables or userspace (default: nftables when root with nft installed, else iptables when root with iptables-restore, else userspace)')
  .option('--service-cidr <cidr>', 'range ClusterIPs come from (must match the API server; IPv4,IPv6 for dual-stack)', '10.96.0.0/12')
  .option('--nftables-table <name>', 'name of the nftables mode\'s tables (ip and ip6), so two kernel-mode proxies can share a host', 'k8ts-proxy')
  .option('--node-addresses <list>', 'comma-separated addresses NodePorts listen on (default 127.0.0.1 and every non-internal IPv4 address)')
  .option('--algorithm <name>', 'round-robin or least-connections', 'round-robin')
  .option('--metrics-bind-address <host:port>', 'where /metrics and /healthz are served', '127.0.0.1:10249')
  .option('--healthz-bind-address <host:port>', 'where /healthz and /livez tell whether forwarding is current (empty: not served)', '0.0.0.0:10256')
  .option('--cluster-dns', 'also run cluster DNS and the kube-dns Service', false)
  .option('--cluster-dns-ip <ip>', 'kube-dns ClusterIP (default: 10th address of --service-cidr)')
  .option('--dns-address <ip>', 'where the DNS server listens', '127.0.0.1')
  .option('--dns-port <port>', 'DNS server port', (v: string) => Number(v), 10053)
  .option('--cluster-domain <domain>', 'cluster domain', 'cluster.local')
  .option('--log-level <level>', 'trace, debug, info, warn or error (default: $K8TS_LOG_LEVEL or info)')
  .action(async (flags) => {
    const { runProxyCommand } = await import('./proxy-command.js');
    await runProxyCommand(flags);
  });

program
  .command('agent')
  .description('run a node agent (process runtime) that joins a cluster: --server URL --token T, or --kubeconfig')
  .option('--server <url>', 'API server URL')
  .option('--token <token>', 'bearer token (ServiceAccount or bootstrap token)')
  .option('--token-file <path>', 'file holding the bearer token')
  .option('--ca-file <path>', 'cluster CA: verifies the API server and its kubelet client certificate')
  .option('--ca-cert-hash <sha256:hex>', 'with a bootstrap token: pin of the cluster CA public key (from `k8ts token create --print-join-command`); repeatable', (v: string, prev: string[] = []) => [...prev, v])
  .option('--insecure-skip-tls-verify', 'do not verify the API server certificate')
  .option('--kubeconfig <path>', 'kubeconfig instead of --server/--token')
  .option('--name <name>', 'node name (default: the hostname)')
  .option('--data-dir <dir>', 'agent state (default ~/.k8ts/agent)')
  .option('--pod-cidr <cidr>', 'pod IPs of this node (default 127.1.0.0/16)')
  .option('--node-ip <ip>', "the node's InternalIP (default: first non-loopback IPv4)")
  .option('--pod-manifest-path <dir>', 'static pod manifests')
  .option('--manifest-url <url>', 'static pods from a URL')
  .option('--cluster-dns <ips>', 'cluster DNS server IPs for pods with dnsPolicy ClusterFirst (e.g. 10.96.0.10)')
  .option('--cluster-domain <domain>', 'cluster domain', 'cluster.local')
  .option('--system-reserved <list>', 'e.g. cpu=100m,memory=100Mi')
  .option('--kube-reserved <list>', 'e.g. cpu=100m,memory=100Mi')
  .option('--max-pods <n>', 'pods this node may run', Number, 110)
  .option('--eviction-hard <list>', 'hard eviction thresholds (default memory.available<100Mi,nodefs.available<10%,nodefs.inodesFree<5%,imagefs.available<15%)')
  .option('--eviction-soft <list>', 'soft eviction thresholds, e.g. memory.available<500Mi')
  .option('--eviction-soft-grace-period <list>', 'grace period per soft threshold, e.g. memory.available=1m30s')
  .option('--eviction-minimum-reclaim <list>', 'minimum reclaim per signal, e.g. memory.available=0Mi')
  .option('--eviction-pressure-transition-period <duration>', 'how long a pressure condition is held (default 5m)')
  .option('--eviction-max-pod-grace-period <seconds>', 'grace period for pods evicted by a soft threshold', Number)
  .option('--kubelet-port <port>', 'HTTPS port of the kubelet API (served when the CA is known)', Number, 10250)
  .option('--log-level <level>', 'trace, debug, info, warn or error')
  .action(async (flags) => {
    const { runAgentCommand } = await import('./agent-command.js');
    await runAgentCommand(flags);
  });

const token = program.command('token').description('manage bootstrap tokens that join node agents (`k8ts agent --token`), as kubeadm token');
const tokenConnection = (c: Command) =>
  c.option('--kubeconfig <path>', 'admin kubeconfig (default: DATA_DIR/kubeconfig, else $KUBECONFIG or ~/.kube/config)').option('--data-dir <dir>', 'data dir of `k8ts server` whose kubeconfig to use');
tokenConnection(
  token
    .command('create [token]')
    .description('create a bootstrap token (random unless given as [a-z0-9]{6}.[a-z0-9]{16}) and print it')
    .option('--ttl <duration>', 'time until the token expires, e.g. 24h, 30m; 0 = never', '24h')
    .option('--description <text>', 'human-readable note on the token')
    .option('--usages <list>', 'what the token may be used for', 'signing,authentication')
    .option('--groups <list>', 'extra groups it authenticates as (system:bootstrappers:…)', 'system:bootstrappers:kubeadm:default-node-token')
    .option('--print-join-command', 'print the whole `k8ts agent` command to join a node, not just the token')
    .option('--server <url>', 'API server URL in the join command (default: the kubeconfig\'s)'),
).action(async (tokenArg: string | undefined, flags) => {
  const { runTokenCreate } = await import('./token-command.js');
  await runTokenCreate(tokenArg, flags);
});
tokenConnection(token.command('list').description('list bootstrap tokens')).action(async (flags) => {
  const { runTokenList } = await import('./token-command.js');
  await runTokenList(flags);
});
tokenConnection(token.command('delete <token-id...>').description('delete bootstrap tokens by id or whole token')).action(async (ids: string[], flags) => {
  const { runTokenDelete } = await import('./token-command.js');
  await runTokenDelete(ids, flags);
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
