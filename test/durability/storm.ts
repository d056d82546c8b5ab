// The durability storm (issue 2, "Numbers"): rounds of concurrent HTTPS writers plus a watcher
// against `k8ts server`, each ended by SIGKILL at a random moment, each followed by a restart on
// the same data dir and a full check of what survived. Shared by the fast test
// (test/durability/kill9.test.ts) and the 20-round benchmark (bench/durability.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkDatabase } from './db-check.js';
import { apiClient, type ApiClient } from './https-client.js';
import { startAndKill, startServerProcess, type ServerProcess } from './server-process.js';
import { checkRound, compareWatchWithList, fingerprint } from './verify.js';
import { createWatcher, seen, type SeenObject, type WatchObject } from './watcher.js';
import { runWriter, type Belief, type OpRecord } from './writer.js';

export interface StormOptions {
  rounds: number;
  writers: number;
  namesPerWriter: number;
  /** The kill comes after a random number of 2xx answers in [min, max] (plus a few ms of jitter). */
  killAfterAcks: [number, number];
  /**
   * Chance per round that the watcher's connection drops at a random point of the storm, so the
   * resumed watch has more to replay. Default 0.5.
   */
  watcherDropChance?: number;
  /** Chance per round that the restarted server is first killed during its startup. Default 0.25. */
  startupKillChance?: number;
  /** Data dir to use (kept); default a temp dir, removed at the end. */
  dataDir?: string;
  random?: () => number;
  /** Progress lines. */
  log?: (line: string) => void;
}

export interface RoundReport {
  round: number;
  /** 2xx answers (including ones to requests meant to be refused, which are problems). */
  acked: number;
  /** Error answers (the requests meant to be refused, and any unexpected error). */
  refused: number;
  unanswered: number;
  unansweredApplied: number;
  /** 2xx writes confirmed at their revision with their exact content. */
  verified: number;
  /** The watcher's connection dropped before the kill. */
  watcherDropped: boolean;
  /** The restart was first killed during startup after this many ms (undefined: it was not). */
  startupKillMs?: number;
  /** Events the resumed watch delivered that happened before the kill but after the watcher's last one. */
  replayed: number;
  /**
   * Times the server ended the resumed watch cleanly before it caught up (a large backlog), so the
   * watcher reconnected from its last revision.
   */
  watchReconnects: number;
  /** Highest revision any client saw before the kill, and the revision after the restart. */
  revisionBeforeKill: number;
  revisionAfterRestart: number;
  restartToReadyMs: number;
  problems: string[];
}

export interface StormReport {
  rounds: RoundReport[];
  /** Every problem, prefixed with its round (0: setup, rounds+1: final clean shutdown). */
  problems: string[];
  firstReadyMs: number;
  /** History revisions and live configmaps in the database after the final clean shutdown. */
  final: { historyEvents: number; liveConfigMaps: number; exitCode: number | null };
}

const NAMESPACE = 'durability';
const SENTINEL = 'zz-sentinel-';

export async function runStorm(opts: StormOptions): Promise<StormReport> {
  const rnd = opts.random ?? Math.random;
  const log = opts.log ?? (() => {});
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'k8ts-kill9-'));
  const report: StormReport = { rounds: [], problems: [], firstReadyMs: 0, final: { historyEvents: 0, liveConfigMaps: 0, exitCode: null } };
  const problem = (round: number, msgs: string[]) => report.problems.push(...msgs.map((m) => `round ${round}: ${m}`));

  const names: string[][] = [];
  const writerNames = new Set<string>();
  for (let w = 0; w < opts.writers; w++) {
    names.push(Array.from({ length: opts.namesPerWriter }, (_, i) => `w${w}-cm${i}`));
    for (const n of names[w]) writerNames.add(n);
  }
  const beliefs = new Map<string, Belief>();
  const fingerprints = new Map<string, string>();
  const stormId = Date.now().toString(36);

  let server: ServerProcess | undefined;
  let client: ApiClient | undefined;
  try {
    server = await startServerProcess(dataDir);
    report.firstReadyMs = server.readyMs;
    client = apiClient(server.url, server.tls, opts.writers + 4);
    const ns = await client.request('POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } }));
    if (ns.kind !== 'ok' && !(ns.kind === 'error' && ns.status === 409)) throw new Error(`cannot create namespace: ${JSON.stringify(ns)}`);
    const initial = await listConfigMaps(client);
    const watcher = createWatcher(NAMESPACE, { items: [...initial.items.values()].map((s) => s.object as unknown as WatchObject), rv: initial.rv });
    await watcher.connect(client);
    let maxKnown = initial.rv;

    for (let round = 1; round <= opts.rounds; round++) {
      // ---- the storm ----
      const killAt = opts.killAfterAcks[0] + Math.floor(rnd() * (opts.killAfterAcks[1] - opts.killAfterAcks[0] + 1));
      let acks = 0;
      let answers = 0;
      const dropAt = rnd() < (opts.watcherDropChance ?? 0.5) ? Math.floor(killAt * (0.2 + 0.7 * rnd())) : -1;
      let stopped = false;
      let killed: Promise<void> | undefined;
      const victim: ServerProcess = server;
      const kill = () => (killed ??= new Promise<void>((r) => setTimeout(r, Math.floor(rnd() * 10))).then(() => victim.kill9()));
      const ops: OpRecord[] = [];
      const writerRuns = names.map((own, w) =>
        runWriter({
          client: client!,
          namespace: NAMESPACE,
          writer: w,
          names: own,
          beliefs,
          opPrefix: `${stormId}-r${round}`,
          stopped: () => stopped,
          random: rnd,
          onAnswer: (op) => {
            // The answer cap keeps a storm whose writes all fail (a broken server) from running for ever.
            if (op.outcome === 'ok' && ++acks === dropAt) watcher.disconnect();
            if (acks >= killAt || ++answers >= killAt * 4) kill();
          },
        }),
      );
      // A writer ends only when its request goes unanswered, i.e. once the server is dead.
      for (const r of await Promise.all(writerRuns.map((p) => p.finally(() => kill())))) ops.push(...r);
      await kill();
      stopped = true;
      const watchEndedWith = await watcher.ended();
      client.close();
      for (const op of ops) if (op.data) fingerprints.set(op.id, fingerprint(op.data));
      const lastWatched = watcher.lastRv();
      const revisionBeforeKill = Math.max(lastWatched, ...ops.map((o) => Number(o.rv ?? 0)));
      const dbCheck = await checkDatabase(join(dataDir, 'state.db'), `/registry/core/configmaps/${NAMESPACE}/`, { copy: true });
      problem(round, dbCheck.problems.map((p) => `database after kill: ${p}`));

      // ---- restart (sometimes killed once more while starting) and verify ----
      let startupKillMs: number | undefined;
      if (rnd() < (opts.startupKillChance ?? 0.25)) {
        startupKillMs = Math.floor(rnd() * 1500);
        const { wasReady } = await startAndKill(dataDir, startupKillMs);
        log(`round ${round}: killed during startup after ${startupKillMs} ms (${wasReady ? 'after' : 'before'} ready)`);
        problem(round, (await checkDatabase(join(dataDir, 'state.db'), `/registry/core/configmaps/${NAMESPACE}/`, { copy: true })).problems.map((p) => `database after startup kill: ${p}`));
      }
      server = await startServerProcess(dataDir);
      client = apiClient(server.url, server.tls, opts.writers + 4);
      const listed = await listConfigMaps(client);
      const roundProblems: string[] = [];
      if (listed.rv < revisionBeforeKill) roundProblems.push(`revision after restart ${listed.rv} is below ${revisionBeforeKill}, seen before the kill`);
      if (listed.rv < maxKnown) roundProblems.push(`revision after restart ${listed.rv} went back from ${maxKnown}`);
      let replayed = 0;
      let historyThrough = Infinity;
      const reconnectsBefore = watcher.reconnects();
      try {
        await watcher.connect(client);
        const snapshot = watcher.stateAt(listed.rv);
        // It may fail while the sentinel is in flight; the await below reports it.
        snapshot.catch(() => {});
        // The sentinel is the first write after the restart: the watch must deliver everything
        // up to the LIST before it, and its revision must be above everything seen so far.
        const sentinel = await client.request('POST', `/api/v1/namespaces/${NAMESPACE}/configmaps`, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${SENTINEL}${round}` }, data: { op: `sentinel-${round}` } }));
        if (sentinel.kind !== 'ok') throw new Error(`sentinel write failed: ${JSON.stringify(sentinel)}`);
        const sentinelRv = Number((sentinel.body as WatchObject).metadata.resourceVersion);
        if (!(sentinelRv > Math.max(listed.rv, revisionBeforeKill, maxKnown))) roundProblems.push(`first write after restart got revision ${sentinelRv}, not above ${Math.max(listed.rv, revisionBeforeKill, maxKnown)}`);
        roundProblems.push(...compareWatchWithList(await snapshot, listed.items));
        for (const rv of watcher.events.keys()) if (rv > lastWatched && rv <= listed.rv) replayed++;
        maxKnown = sentinelRv;
      } catch (err) {
        roundProblems.push(`resumed watch from ${lastWatched} (pre-kill watch ${watchEndedWith}): ${(err as Error).message}`);
        // Carry on as a client would after 410: relist and watch from there, so later rounds
        // still test something; this round's history after the watcher's last event is unknown.
        historyThrough = lastWatched;
        const relisted = await listConfigMaps(client);
        watcher.reset([...relisted.items.values()].map((s) => s.object as unknown as WatchObject), relisted.rv);
        await watcher.connect(client);
        maxKnown = Math.max(maxKnown, relisted.rv);
      }
      const check = checkRound({
        ops,
        beliefs,
        writerNames,
        fingerprints,
        listed: listed.items,
        events: watcher.events,
        eventByOp: watcher.eventByOp,
        historyThrough,
        isExtra: (name) => name.startsWith(SENTINEL),
      });
      roundProblems.push(...check.problems, ...watcher.problems.splice(0));
      const r: RoundReport = {
        round,
        watcherDropped: dropAt >= 0 && dropAt <= check.acked,
        startupKillMs,
        acked: check.acked,
        refused: check.refused,
        unanswered: check.unanswered,
        unansweredApplied: check.unansweredApplied,
        verified: check.verified,
        replayed,
        watchReconnects: watcher.reconnects() - reconnectsBefore,
        revisionBeforeKill,
        revisionAfterRestart: listed.rv,
        restartToReadyMs: server.readyMs,
        problems: roundProblems,
      };
      report.rounds.push(r);
      problem(round, roundProblems);
      log(`round ${round}: acked ${r.acked}, refused ${r.refused}, unanswered ${r.unanswered} (${r.unansweredApplied} applied), verified ${r.verified}, replayed ${r.replayed} (${r.watchReconnects} reconnects), ready in ${r.restartToReadyMs} ms, ${roundProblems.length} problems`);
    }

    // ---- clean shutdown: the file must hold exactly what the watcher ended with ----
    const final = opts.rounds + 1;
    const expected = watcher.state;
    client.close();
    client = undefined;
    report.final.exitCode = await server.stop();
    server = undefined;
    if (report.final.exitCode !== 0) problem(final, [`clean shutdown exited ${report.final.exitCode}`]);
    const db = await checkDatabase(join(dataDir, 'state.db'), `/registry/core/configmaps/${NAMESPACE}/`, { copy: false });
    report.final.historyEvents = db.historyEvents;
    report.final.liveConfigMaps = db.live.size;
    const finalProblems = [...db.problems];
    for (const [name, obj] of expected) {
      const row = db.live.get(name);
      if (!row) finalProblems.push(`${name} (rv ${obj.rv}) is missing from the database`);
      else if (String(row.rev) !== obj.rv || fingerprint((JSON.parse(row.value) as WatchObject).data) !== fingerprint(obj.data)) finalProblems.push(`${name}: database has rv ${row.rev}, the watch ended at ${obj.rv}`);
    }
    for (const name of db.live.keys()) if (!expected.has(name)) finalProblems.push(`${name} is in the database but the watch says it is gone`);
    problem(final, finalProblems);
    return report;
  } finally {
    client?.close();
    await server?.kill9();
    if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

async function listConfigMaps(client: ApiClient): Promise<{ items: Map<string, SeenObject>; rv: number }> {
  const r = await client.request('GET', `/api/v1/namespaces/${NAMESPACE}/configmaps`);
  if (r.kind !== 'ok') throw new Error(`LIST configmaps: ${JSON.stringify(r)}`);
  const list = r.body as { metadata: { resourceVersion: string }; items: WatchObject[] };
  const items = new Map<string, SeenObject>();
  for (const item of list.items) items.set(item.metadata.name, seen(item));
  return { items, rv: Number(list.metadata.resourceVersion) };
}
