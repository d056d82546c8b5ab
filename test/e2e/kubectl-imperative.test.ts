// Every imperative create that kubectl 1.32 sends as protobuf, against a real k8ts API server.
// The oracle for each is the same command with `--dry-run=client -o json`: what kubectl would
// have sent must be contained in what the server decoded and stored (the server only adds
// metadata and defaults). Also `run`, `auth can-i`, `auth whoami` and `create token`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { subsetMismatches } from './subset.js';

let c: TestCluster;
let certFile = '';
let keyFile = '';
let binFile = '';
const binary = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x0a, 0x6b, 0x38, 0x73, 0xc3, 0x28]);
before(async () => {
  c = await startTestCluster();
  await c.kubectlOk(['create', 'namespace', 'imp']);
  // Any matching certificate and key will do for a TLS secret: reuse the admin credentials.
  certFile = join(c.dataDir, 'tls.crt');
  keyFile = join(c.dataDir, 'tls.key');
  writeFileSync(certFile, c.server.pki.adminCertPem);
  writeFileSync(keyFile, c.server.pki.adminKeyPem);
  // Bytes that are not UTF-8: a protobuf `bytes` field must carry them unchanged.
  binFile = join(c.dataDir, 'blob.bin');
  writeFileSync(binFile, binary);
});
after(async () => {
  await c?.close();
});

interface Case {
  what: string;
  /** Arguments after `kubectl`, without --dry-run/-o. */
  args: () => string[];
  /** `kubectl get` arguments that read back the stored object. */
  get: string[];
  /** The success line kubectl prints. */
  printed: RegExp;
  /** Further checks on the stored object (defaults the server must add). */
  check?: (stored: any) => void;
  /** The object sets no field a field manager tracks (name alone), so no managedFields entry. */
  noManagedFields?: boolean;
}

const ns = ['-n', 'imp'];
const cases: Case[] = [
  {
    what: 'create namespace',
    args: () => ['create', 'namespace', 'imp-two'],
    get: ['namespace', 'imp-two'],
    printed: /^namespace\/imp-two created$/,
    check: (o) => assert.equal(o.status.phase, 'Active'),
  },
  {
    what: 'create configmap from literals',
    args: () => ['create', 'configmap', 'cm1', ...ns, '--from-literal=a=1', '--from-literal=b=two words'],
    get: ['configmap', 'cm1', ...ns],
    printed: /^configmap\/cm1 created$/,
  },
  {
    what: 'create secret generic from literals',
    args: () => ['create', 'secret', 'generic', 'sg', ...ns, '--from-literal=user=admin', '--from-literal=pw=s3cr3t'],
    get: ['secret', 'sg', ...ns],
    printed: /^secret\/sg created$/,
    check: (o) => {
      assert.equal(o.type, 'Opaque');
      assert.equal(Buffer.from(o.data.pw, 'base64').toString(), 's3cr3t');
    },
  },
  {
    what: 'create secret tls from a certificate and key file',
    args: () => ['create', 'secret', 'tls', 'st', ...ns, `--cert=${certFile}`, `--key=${keyFile}`],
    get: ['secret', 'st', ...ns],
    printed: /^secret\/st created$/,
    check: (o) => {
      assert.equal(o.type, 'kubernetes.io/tls');
      assert.match(Buffer.from(o.data['tls.crt'], 'base64').toString(), /BEGIN CERTIFICATE/);
    },
  },
  {
    what: 'create secret docker-registry',
    args: () => ['create', 'secret', 'docker-registry', 'sd', ...ns, '--docker-server=registry.example.com', '--docker-username=u', '--docker-password=p', '--docker-email=u@example.com'],
    get: ['secret', 'sd', ...ns],
    printed: /^secret\/sd created$/,
    check: (o) => {
      assert.equal(o.type, 'kubernetes.io/dockerconfigjson');
      const cfg = JSON.parse(Buffer.from(o.data['.dockerconfigjson'], 'base64').toString());
      assert.equal(cfg.auths['registry.example.com'].username, 'u');
    },
  },
  {
    what: 'create deployment with replicas and a port',
    args: () => ['create', 'deployment', 'web', ...ns, '--image=nginx:1.25', '--replicas=3', '--port=80'],
    get: ['deployment', 'web', ...ns],
    printed: /^deployment.apps\/web created$/,
    check: (o) => {
      assert.equal(o.metadata.generation, 1);
      assert.equal(o.spec.strategy.type, 'RollingUpdate');
      assert.equal(o.spec.strategy.rollingUpdate.maxSurge, '25%');
      assert.equal(o.spec.revisionHistoryLimit, 10);
      assert.equal(o.spec.template.spec.containers[0].ports[0].protocol, 'TCP');
      assert.equal(o.spec.template.spec.restartPolicy, 'Always');
    },
  },
  {
    what: 'create service clusterip',
    args: () => ['create', 'service', 'clusterip', 'svc-c', ...ns, '--tcp=80:8080'],
    get: ['service', 'svc-c', ...ns],
    printed: /^service\/svc-c created$/,
    check: (o) => {
      assert.match(o.spec.clusterIP, /^10\.(9[6-9]|10[0-9]|11[01])\.\d+\.\d+$/, 'from 10.96.0.0/12');
      assert.deepEqual(o.spec.clusterIPs, [o.spec.clusterIP]);
      assert.equal(o.spec.ports[0].protocol, 'TCP');
      assert.equal(o.spec.sessionAffinity, 'None');
    },
  },
  {
    what: 'create service nodeport with a fixed node port',
    args: () => ['create', 'service', 'nodeport', 'svc-n', ...ns, '--tcp=80:8080', '--node-port=30080'],
    get: ['service', 'svc-n', ...ns],
    printed: /^service\/svc-n created$/,
    check: (o) => {
      assert.equal(o.spec.ports[0].nodePort, 30080);
      assert.equal(o.spec.externalTrafficPolicy, 'Cluster');
    },
  },
  {
    what: 'create service loadbalancer',
    args: () => ['create', 'service', 'loadbalancer', 'svc-lb', ...ns, '--tcp=443:8443'],
    get: ['service', 'svc-lb', ...ns],
    printed: /^service\/svc-lb created$/,
    check: (o) => {
      assert.equal(o.spec.type, 'LoadBalancer');
      assert.ok(o.spec.ports[0].nodePort >= 30000 && o.spec.ports[0].nodePort <= 32767, `nodePort ${o.spec.ports[0].nodePort}`);
    },
  },
  {
    what: 'create service externalname',
    args: () => ['create', 'service', 'externalname', 'svc-x', ...ns, '--external-name=db.example.com'],
    get: ['service', 'svc-x', ...ns],
    printed: /^service\/svc-x created$/,
    check: (o) => {
      assert.equal(o.spec.externalName, 'db.example.com');
      assert.equal(o.spec.clusterIP, undefined, 'ExternalName services get no cluster IP');
    },
  },
  {
    what: 'create serviceaccount',
    args: () => ['create', 'serviceaccount', 'robot', ...ns],
    get: ['serviceaccount', 'robot', ...ns],
    printed: /^serviceaccount\/robot created$/,
    noManagedFields: true,
  },
  {
    what: 'create job with a command',
    args: () => ['create', 'job', 'once', ...ns, '--image=busybox:1.36', '--', 'echo', 'hello'],
    get: ['job', 'once', ...ns],
    printed: /^job.batch\/once created$/,
    check: (o) => {
      assert.equal(o.spec.template.spec.restartPolicy, 'Never');
      assert.equal(o.spec.backoffLimit, 6);
      assert.equal(o.spec.completions, 1);
      assert.equal(o.spec.parallelism, 1);
    },
  },
  {
    what: 'create cronjob with a schedule and a command',
    args: () => ['create', 'cronjob', 'nightly', ...ns, '--image=busybox:1.36', '--schedule=0 3 * * *', '--', 'date'],
    get: ['cronjob', 'nightly', ...ns],
    printed: /^cronjob.batch\/nightly created$/,
    check: (o) => {
      assert.equal(o.spec.concurrencyPolicy, 'Allow');
      assert.equal(o.spec.suspend, false);
      assert.equal(o.spec.successfulJobsHistoryLimit, 3);
      assert.equal(o.spec.failedJobsHistoryLimit, 1);
    },
  },
  {
    what: 'create job from a cronjob',
    args: () => ['create', 'job', 'manual', ...ns, '--from=cronjob/nightly'],
    get: ['job', 'manual', ...ns],
    printed: /^job.batch\/manual created$/,
    check: (o) => assert.equal(o.metadata.annotations['cronjob.kubernetes.io/instantiate'], 'manual'),
  },
  {
    what: 'create role',
    args: () => ['create', 'role', 'reader', ...ns, '--verb=get,list,watch', '--resource=pods,deployments.apps', '--resource-name=web'],
    get: ['role', 'reader', ...ns],
    printed: /^role.rbac.authorization.k8s.io\/reader created$/,
  },
  {
    what: 'create rolebinding for a user, a group and a service account',
    args: () => ['create', 'rolebinding', 'reader-rb', ...ns, '--role=reader', '--user=alice', '--group=devs', '--serviceaccount=imp:robot'],
    get: ['rolebinding', 'reader-rb', ...ns],
    printed: /^rolebinding.rbac.authorization.k8s.io\/reader-rb created$/,
  },
  {
    what: 'create clusterrole with a non-resource URL',
    args: () => ['create', 'clusterrole', 'node-reader', '--verb=get', '--resource=nodes', '--non-resource-url=/logs/*'],
    get: ['clusterrole', 'node-reader'],
    printed: /^clusterrole.rbac.authorization.k8s.io\/node-reader created$/,
  },
  {
    what: 'create clusterrole with an aggregation rule',
    args: () => ['create', 'clusterrole', 'aggregated', '--aggregation-rule=team=web'],
    get: ['clusterrole', 'aggregated'],
    printed: /^clusterrole.rbac.authorization.k8s.io\/aggregated created$/,
  },
  {
    what: 'create clusterrolebinding',
    args: () => ['create', 'clusterrolebinding', 'node-reader-crb', '--clusterrole=node-reader', '--group=devs'],
    get: ['clusterrolebinding', 'node-reader-crb'],
    printed: /^clusterrolebinding.rbac.authorization.k8s.io\/node-reader-crb created$/,
  },
  {
    what: 'create priorityclass',
    args: () => ['create', 'priorityclass', 'high', '--value=1000', '--description=important', '--preemption-policy=Never'],
    get: ['priorityclass', 'high'],
    printed: /^priorityclass.scheduling.k8s.io\/high created$/,
  },
  {
    what: 'create poddisruptionbudget with min-available',
    args: () => ['create', 'poddisruptionbudget', 'web-pdb', ...ns, '--selector=app=web', '--min-available=1'],
    get: ['poddisruptionbudget', 'web-pdb', ...ns],
    printed: /^poddisruptionbudget.policy\/web-pdb created$/,
  },
  {
    what: 'create poddisruptionbudget with a max-unavailable percentage',
    args: () => ['create', 'poddisruptionbudget', 'web-pdb2', ...ns, '--selector=app=web', '--max-unavailable=50%'],
    get: ['poddisruptionbudget', 'web-pdb2', ...ns],
    printed: /^poddisruptionbudget.policy\/web-pdb2 created$/,
  },
  {
    what: 'create quota with hard limits and scopes',
    args: () => ['create', 'quota', 'q', ...ns, '--hard=pods=10,cpu=2,memory=1Gi,services.nodeports=0', '--scopes=NotBestEffort'],
    get: ['resourcequota', 'q', ...ns],
    printed: /^resourcequota\/q created$/,
  },
  {
    what: 'create configmap with non-UTF-8 file content as binaryData and unicode literals',
    args: () => ['create', 'configmap', 'cm-bin', ...ns, `--from-file=blob=${binFile}`, '--from-literal=greeting=héllo wörld ✓'],
    get: ['configmap', 'cm-bin', ...ns],
    printed: /^configmap\/cm-bin created$/,
    check: (o) => {
      assert.deepEqual(Buffer.from(o.binaryData.blob, 'base64'), binary);
      assert.equal(o.data.greeting, 'héllo wörld ✓');
    },
  },
  {
    what: 'create secret generic from a binary file with a custom type',
    args: () => ['create', 'secret', 'generic', 'sb', ...ns, `--from-file=blob=${binFile}`, '--type=example.com/blob'],
    get: ['secret', 'sb', ...ns],
    printed: /^secret\/sb created$/,
    check: (o) => {
      assert.equal(o.type, 'example.com/blob');
      assert.deepEqual(Buffer.from(o.data.blob, 'base64'), binary);
    },
  },
  {
    what: 'create secret generic of type basic-auth',
    args: () => ['create', 'secret', 'generic', 'sba', ...ns, '--type=kubernetes.io/basic-auth', '--from-literal=username=u', '--from-literal=password=p'],
    get: ['secret', 'sba', ...ns],
    printed: /^secret\/sba created$/,
  },
  {
    what: 'create deployment with two images',
    args: () => ['create', 'deployment', 'multi', ...ns, '--image=nginx:1.25', '--image=busybox:1.36'],
    get: ['deployment', 'multi', ...ns],
    printed: /^deployment.apps\/multi created$/,
    check: (o) => assert.deepEqual(o.spec.template.spec.containers.map((x: { name: string }) => x.name), ['nginx', 'busybox']),
  },
  {
    what: 'create a headless service clusterip',
    args: () => ['create', 'service', 'clusterip', 'headless', ...ns, '--clusterip=None', '--tcp=5432:5432'],
    get: ['service', 'headless', ...ns],
    printed: /^service\/headless created$/,
    check: (o) => {
      assert.equal(o.spec.clusterIP, 'None');
      assert.deepEqual(o.spec.clusterIPs, ['None']);
    },
  },
  {
    what: 'create ingress with a TLS host and a default backend',
    args: () => ['create', 'ingress', 'web-ing', ...ns, '--class=default', '--rule=foo.example.com/bar*=svc-c:80,tls=st', '--default-backend=svc-c:80', '--annotation=team=web'],
    get: ['ingress', 'web-ing', ...ns],
    printed: /^ingress.networking.k8s.io\/web-ing created$/,
    check: (o) => {
      assert.equal(o.spec.rules[0].http.paths[0].pathType, 'Prefix');
      assert.deepEqual(o.spec.tls, [{ hosts: ['foo.example.com'], secretName: 'st' }]);
    },
  },
  {
    what: 'create rolebinding to a clusterrole',
    args: () => ['create', 'rolebinding', 'node-reader-rb', ...ns, '--clusterrole=node-reader', '--user=carol'],
    get: ['rolebinding', 'node-reader-rb', ...ns],
    printed: /^rolebinding.rbac.authorization.k8s.io\/node-reader-rb created$/,
  },
  {
    what: 'create cronjob that restarts on failure',
    args: () => ['create', 'cronjob', 'retrying', ...ns, '--image=busybox:1.36', '--schedule=@hourly', '--restart=OnFailure', '--', 'false'],
    get: ['cronjob', 'retrying', ...ns],
    printed: /^cronjob.batch\/retrying created$/,
  },
  {
    what: 'create the global default priorityclass with a never-preempt policy',
    args: () => ['create', 'priorityclass', 'default-pc', '--value=10', '--global-default=true'],
    get: ['priorityclass', 'default-pc'],
    printed: /^priorityclass.scheduling.k8s.io\/default-pc created$/,
    check: (o) => assert.equal(o.globalDefault, true),
  },
  {
    what: 'run a pod with labels, env, a port and a command',
    args: () => ['run', 'runner', ...ns, '--image=busybox:1.36', '--labels=app=runner,tier=x', '--env=A=1', '--port=8080', '--restart=Never', '--command', '--', 'sleep', '3600'],
    get: ['pod', 'runner', ...ns],
    printed: /^pod\/runner created$/,
    check: (o) => {
      assert.equal(o.spec.dnsPolicy, 'ClusterFirst');
      assert.equal(o.spec.terminationGracePeriodSeconds, 30);
      assert.equal(o.spec.containers[0].imagePullPolicy, 'IfNotPresent');
      assert.equal(o.spec.containers[0].terminationMessagePath, '/dev/termination-log');
      assert.equal(o.spec.schedulerName, 'default-scheduler');
      assert.equal(o.status.phase, 'Pending');
    },
  },
];

/** Adds flags before a `--` that starts the container command, where kubectl still reads them. */
function withFlags(args: string[], flags: string[]): string[] {
  const dash = args.indexOf('--');
  return dash < 0 ? [...args, ...flags] : [...args.slice(0, dash), ...flags, ...args.slice(dash)];
}

describe('imperative creates (protobuf bodies) store exactly what kubectl meant', () => {
  for (const k of cases) {
    test(`kubectl ${k.what}: the dry-run object is contained in the stored one`, async () => {
      const expected = JSON.parse(await c.kubectlOk(withFlags(k.args(), ['--dry-run=client', '-o', 'json'])));
      const out = await c.kubectlOk(k.args());
      assert.match(out.trim(), k.printed);
      const stored = JSON.parse(await c.kubectlOk(['get', ...k.get, '-o', 'json', '--show-managed-fields']));
      assert.deepEqual(subsetMismatches(expected, stored), [], JSON.stringify(stored, null, 1));
      assert.match(stored.metadata.uid, /^[0-9a-f-]{36}$/);
      assert.match(stored.metadata.resourceVersion, /^\d+$/);
      assert.ok(stored.metadata.creationTimestamp, 'creationTimestamp set');
      assert.ok(
        k.noManagedFields ||
        (stored.metadata.managedFields ?? []).some((m: any) => m.manager === 'kubectl-create' || m.manager === 'kubectl-run'),
        `managedFields name kubectl's field manager: ${JSON.stringify(stored.metadata.managedFields)}`,
      );
      k.check?.(stored);
    });
  }

  test('create with --dry-run=server is decoded and defaulted but not stored', async () => {
    const out = JSON.parse(await c.kubectlOk(['create', 'configmap', 'ghost', ...ns, '--from-literal=a=b', '--dry-run=server', '-o', 'json']));
    assert.equal(out.data.a, 'b');
    assert.match(out.metadata.uid, /^[0-9a-f-]{36}$/);
    const r = await c.kubectl(['get', 'configmap', 'ghost', ...ns]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /configmaps "ghost" not found/);
  });

  test('a second create of the same name is refused with AlreadyExists', async () => {
    const r = await c.kubectl(['create', 'configmap', 'cm1', ...ns]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /configmaps "cm1" already exists/);
  });

  test('create token issues a JWT for the service account', async () => {
    const token = (await c.kubectlOk(['create', 'token', 'robot', ...ns])).trim();
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
    assert.equal(claims.sub, 'system:serviceaccount:imp:robot');
  });
});

describe('auth subcommands', () => {
  test('auth can-i answers yes for the admin on resources, subresources and non-resource URLs', async () => {
    for (const args of [['create', 'pods'], ['delete', 'deployments.apps', '-n', 'imp'], ['get', 'pods/log'], ['get', '/healthz'], ['*', '*', '--all-namespaces']]) {
      const r = await c.kubectl(['auth', 'can-i', ...args]);
      assert.equal(r.stdout.trim(), 'yes', `can-i ${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.code, 0);
    }
  });

  test('auth can-i --list prints the rules table', async () => {
    const out = await c.kubectlOk(['auth', 'can-i', '--list', '-n', 'imp']);
    assert.match(out, /^Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs$/m);
    assert.match(out, /^\*\.\*\s+\[\]\s+\[\]\s+\[\*\]$/m);
    assert.match(out, /^\s+\[\*\]\s+\[\]\s+\[\*\]$/m);
  });

  test('auth can-i impersonating system:anonymous is refused as upstream (anonymous may not create access reviews)', async () => {
    const r = await c.kubectl(['auth', 'can-i', 'get', 'pods', '--as=system:anonymous', '--as-group=system:unauthenticated']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /selfsubjectaccessreviews\.authorization\.k8s\.io is forbidden: User "system:anonymous" cannot create resource "selfsubjectaccessreviews" in API group "authorization.k8s.io" at the cluster scope/);
  });

  test('auth whoami names the admin user and its groups', async () => {
    const table = await c.kubectlOk(['auth', 'whoami']);
    assert.match(table, /^ATTRIBUTE\s+VALUE$/m);
    const me = JSON.parse(await c.kubectlOk(['auth', 'whoami', '-o', 'json']));
    assert.equal(me.kind, 'SelfSubjectReview');
    assert.ok(me.status.userInfo.username, 'a username');
    assert.match(table, new RegExp(`^Username\\s+${me.status.userInfo.username}$`, 'm'));
    assert.ok(me.status.userInfo.groups.includes('system:masters'), JSON.stringify(me.status.userInfo));
    assert.ok(me.status.userInfo.groups.includes('system:authenticated'));
  });
});
