// The kernel mode of the service proxy: nftables rules in one table of our own per IP family
// (nft family `ip` for IPv4, `ip6` for IPv6, as upstream; a dual-stack proxy runs one proxier
// per family under a MetaProxier, see nftablesProxier below), laid out as
// upstream kube-proxy's nftables mode but with maps instead of per-service chains wherever
// session affinity does not need them (see base.ts, rules.ts, map-rules.ts). The proxier
// remembers, per service port, the chains, sets and map elements it wrote; a sync computes the
// wanted ones of the changed service ports only and writes the difference as one transaction:
// new chains are added, chains whose rules differ are flushed and rewritten, map elements are
// deleted/added, chains and sets no longer wanted are flushed and deleted. Incremental
// transactions go to a long-lived `nft -i` (session.ts); the whole table is rewritten with
// `nft -f -` only on the first sync and after a failed transaction (the kernel then still has
// the state before it, but we no longer trust our record). After a sync that touched a UDP
// service port, stale UDP conntrack entries are deleted (../conntrack). sync() calls never
// overlap (Proxier contract).
import type { Logger } from 'pino';
import type { Proxier, ProxierOptions, ProxyState } from '../proxier.js';
import type { ServicePortKey } from '../service-port.js';
import { writeBase } from './base.js';
import { applyScript, defaultNftPath, NftError, runNft } from './nft.js';
import { defaultTableName } from './names.js';
import { familyOf, type NftFamily } from './family.js';
import { proxierPerFamily } from '../meta-proxier.js';
import { mapRulesFor } from './map-rules.js';
import { addFirewall } from './firewall.js';
import { chainRulesFor, emptyRules, hasRules, type ServicePortRules } from './rules.js';
import { NftScript } from './script.js';
import { NftSession } from './session.js';
import { KernelHostSetup } from '../kernel-host.js';
import { StaleFlowCleaner } from '../conntrack/cleanup.js';

export interface NftablesProxierOptions extends ProxierOptions {
  /**
   * Our table's name; default "k8ts-proxy". Nothing outside it is touched, so two proxies with
   * different table names can run on one host (each deletes only its own table).
   */
  table?: string;
  /** The family this proxier serves: its table is `ip <table>` (IPv4, default) or `ip6 <table>` (IPv6). */
  ipFamily?: 'IPv4' | 'IPv6';
  nftPath?: string;
  /** Set net.ipv4.conf.all.route_localnet=1 while running (restored on stop), so traffic from other hosts reaches loopback endpoints; default true (IPv4 only: IPv6 has no such setting). */
  routeLocalnet?: boolean;
  /**
   * Route the service CIDR to lo (`ip route add local CIDR dev lo`, removed on stop); default
   * true. DNAT does not need it, but without it a ClusterIP's first routing decision needs a
   * default route, and a ClusterIP port nobody serves would go out to the gateway instead of
   * being refused here (upstream rejects those with its cluster-ips-check chain).
   */
  manageLocalRoute?: boolean;
  /** Delete stale UDP conntrack entries after syncs that changed a UDP service port (needs the conntrack tool); default true. */
  cleanStaleFlows?: boolean;
  conntrackPath?: string;
}

export interface NftSyncStats {
  full: boolean;
  /** Service ports in the transaction. */
  servicePorts: number;
  /** Commands (lines) in the script. */
  commands: number;
  /** Time to build the script and for nft to apply it. */
  buildMs: number;
  applyMs: number;
}

/** Incremental scripts up to this many commands go through the long-lived nft session. */
const maxSessionCommands = 2000;

export class NftablesProxier implements Proxier {
  readonly mode = 'nftables';
  readonly table: string;
  readonly family: NftFamily;
  /** What the kernel has, per service port, as of the last successful transaction. */
  private written = new Map<ServicePortKey, ServicePortRules>();
  /** Shared chains and reference-counted elements in the kernel (reset by a full rewrite). */
  private shared = new SharedObjects();
  private fullSyncNeeded = true;
  /** Service ports nft rejected; left out until they change again. */
  readonly failed = new Map<ServicePortKey, string>();
  lastSync: NftSyncStats | undefined;
  private readonly log: Logger;
  private readonly nftPath: string;
  private host: KernelHostSetup | undefined;
  readonly staleFlows: StaleFlowCleaner | undefined;
  /** The long-lived nft for incremental transactions (full rewrites use `nft -f -`, whose errors name lines). */
  private readonly session: NftSession;

  private constructor(private readonly opts: NftablesProxierOptions) {
    this.table = opts.table ?? defaultTableName;
    this.family = familyOf(opts.ipFamily ?? 'IPv4');
    this.log = opts.log;
    this.nftPath = opts.nftPath ?? defaultNftPath;
    this.session = new NftSession(this.nftPath);
    this.staleFlows = StaleFlowCleaner.forProxier(opts, this.family.ipFamily, opts.log);
  }

  static async create(opts: NftablesProxierOptions): Promise<NftablesProxier> {
    const p = new NftablesProxier(opts);
    // Clean restart: a table left by a previous run (crash, kill -9) goes before anything else.
    await applyScript(`add table ${p.family.nft} ${p.table}\ndelete table ${p.family.nft} ${p.table}\n`, p.nftPath);
    p.host = await KernelHostSetup.apply({ serviceCidr: opts.serviceCidr, ipFamily: p.family.ipFamily, routeLocalnet: opts.routeLocalnet, manageLocalRoute: opts.manageLocalRoute }, p.log);
    return p;
  }

  /** `nft list table` of our table (for tests and debugging). */
  listTable(): Promise<string> {
    return runNft(['list', 'table', this.family.nft, this.table], '', this.nftPath);
  }

  async sync(state: ProxyState, changed: ReadonlySet<ServicePortKey>): Promise<void> {
    const full = this.fullSyncNeeded;
    await this.syncRules(state, changed);
    // Once the rules are in place, flows that the old rules sent elsewhere can go.
    await this.staleFlows?.cleanAfterSync(state, changed, full);
  }

  private async syncRules(state: ProxyState, changed: ReadonlySet<ServicePortKey>): Promise<void> {
    if (this.fullSyncNeeded) return this.fullSync(state);
    const started = performance.now();
    const s = new NftScript(this.family.nft, this.table);
    const next = new Map<ServicePortKey, ServicePortRules>();
    for (const key of changed) {
      this.failed.delete(key);
      const want = this.wanted(state, key);
      writeDiff(s, key, this.written.get(key) ?? emptyRules(), want, this.shared);
      next.set(key, want);
    }
    if (!s.length) return;
    const built = performance.now();
    try {
      // A burst of changes can make a big script: that goes through `nft -f -` like a full rewrite.
      if (s.length <= maxSessionCommands) await this.session.apply(s.commands());
      else await applyScript(s.text(), this.nftPath);
    } catch (err) {
      this.blame(s, err, 'incremental update failed; rewriting the whole table', false);
      this.fullSyncNeeded = true;
      return this.fullSync(state);
    }
    for (const [key, r] of next) {
      if (hasRules(r)) this.written.set(key, r);
      else this.written.delete(key);
    }
    this.lastSync = { full: false, servicePorts: changed.size, commands: s.length, buildMs: built - started, applyMs: performance.now() - built };
  }

  /**
   * Deletes and rewrites the table with every service port. A service port whose lines nft
   * rejects is left out (and logged) and the rest retried, so one bad service cannot keep the
   * others from working.
   */
  private async fullSync(state: ProxyState): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const started = performance.now();
      const s = new NftScript(this.family.nft, this.table);
      s.add(`add table ${this.family.nft} ${this.table}`);
      s.add(`delete table ${this.family.nft} ${this.table}`);
      writeBase(s, this.opts.nodeAddresses, this.family);
      const next = new Map<ServicePortKey, ServicePortRules>();
      const shared = new SharedObjects();
      for (const key of state.services.keys()) {
        if (this.failed.has(key)) continue;
        const want = this.wanted(state, key);
        writeDiff(s, key, emptyRules(), want, shared);
        if (hasRules(want)) next.set(key, want);
      }
      const built = performance.now();
      try {
        await applyScript(s.text(), this.nftPath);
      } catch (err) {
        const owners = this.blame(s, err, 'full rewrite of the table failed');
        if (!owners.length || attempt >= 5) throw err;
        continue;
      }
      this.written = next;
      this.shared = shared;
      this.fullSyncNeeded = false;
      // Incremental syncs follow; have their nft process ready (a failure shows up there).
      this.session.warm().catch(() => undefined);
      this.lastSync = { full: true, servicePorts: next.size, commands: s.length, buildMs: built - started, applyMs: performance.now() - built };
      return;
    }
  }

  private wanted(state: ProxyState, key: ServicePortKey): ServicePortRules {
    const info = state.services.get(key);
    if (!info) return emptyRules();
    const layout = info.affinityTimeoutSeconds === undefined ? mapRulesFor : chainRulesFor;
    const r = layout(info, state.endpoints.get(key) ?? [], this.opts.nodeName, this.opts.nodeAddresses.length > 0, this.family);
    addFirewall(r, info, this.family, this.opts.nodeAddresses);
    return r;
  }

  /**
   * Logs a failed transaction with the service ports whose lines nft named, and (`mark`) records
   * them as failed. An incremental failure marks nobody: its cause may be our record of the
   * kernel, not the service port, and the full rewrite that follows finds out.
   */
  private blame(s: NftScript, err: unknown, msg: string, mark = true): ServicePortKey[] {
    const lines = err instanceof NftError ? err.lines : [];
    const owners = s.ownersOf(lines);
    const stderr = err instanceof NftError ? err.stderr.trim() : String(err);
    if (mark) for (const key of owners) this.failed.set(key, stderr);
    this.log.error({ servicePorts: owners, lines: lines.slice(0, 5).map((n) => s.lineAt(n)), stderr: stderr.slice(0, 2000) }, msg);
    return owners;
  }

  async stop(): Promise<void> {
    this.session.close();
    try {
      await applyScript(`add table ${this.family.nft} ${this.table}\ndelete table ${this.family.nft} ${this.table}\n`, this.nftPath);
    } finally {
      this.written.clear();
      this.shared = new SharedObjects();
      this.fullSyncNeeded = true;
      await this.host?.restore();
      this.host = undefined;
    }
  }
}

const sameRules = (a: readonly string[] | undefined, b: readonly string[]) => !!a && a.length === b.length && a.every((r, i) => r === b[i]);

/**
 * What several service ports share in the kernel: the map layout's pick chains (created on first
 * use, never deleted until the table is rewritten) and set elements more than one service port
 * may need (added with the first, deleted with the last). Updated as the script is written; a
 * failed transaction is followed by a full rewrite, which starts a new one.
 */
export class SharedObjects {
  readonly chains = new Set<string>();
  private readonly refs = new Map<string, number>();

  /** Counts a reference; true when it is the first (the element must be added). */
  acquire(set: string, key: string): boolean {
    const id = `${set}\u0000${key}`;
    const n = this.refs.get(id) ?? 0;
    this.refs.set(id, n + 1);
    return n === 0;
  }

  /** Drops a reference; true when it was the last (the element must be deleted). */
  release(set: string, key: string): boolean {
    const id = `${set}\u0000${key}`;
    const n = this.refs.get(id) ?? 0;
    if (n <= 1) this.refs.delete(id);
    else this.refs.set(id, n - 1);
    return n === 1;
  }
}

/**
 * Appends to `s` the commands that turn `old` into `want` for one service port, in an order the
 * kernel accepts inside one transaction: new sets and chains first (shared chains included);
 * then rewritten chains; then map elements; last, chains, sets and maps nothing refers to any
 * more are flushed and deleted.
 */
export function writeDiff(s: NftScript, key: ServicePortKey, old: ServicePortRules, want: ServicePortRules, shared: SharedObjects): void {
  const t = `${s.family} ${s.table}`;
  const kind = (decl: string) => decl.slice(0, decl.indexOf(' '));
  for (const [name, decl] of want.sets) if (!old.sets.has(name)) s.add(`add ${kind(decl)} ${t} ${name} ${decl.slice(decl.indexOf(' ') + 1)}`, key);
  for (const [name, chain] of want.sharedChains) {
    if (shared.chains.has(name)) continue;
    shared.chains.add(name);
    // nft 1.0.6 cannot check a rule against a `typeof` map it reads back from the kernel
    // ("conflicting protocols specified: tcp vs. th"), only against one declared in the same
    // transaction: so each pick chain brings its own endpoint map.
    for (const [map, decl] of chain.maps) s.add(`add ${kind(decl)} ${t} ${map} ${decl.slice(decl.indexOf(' ') + 1)}`, key);
    s.add(`add chain ${t} ${name}`, key);
    for (const r of chain.rules) s.rule(name, r, key);
  }
  for (const name of want.chains.keys()) if (!old.chains.has(name)) s.add(`add chain ${t} ${name}`, key);
  for (const [name, rules] of want.chains) {
    const before = old.chains.get(name);
    if (sameRules(before, rules)) continue;
    if (before) s.add(`flush chain ${t} ${name}`, key);
    for (const r of rules) s.rule(name, r, key);
  }
  const mapNames = new Set<string>([...old.elements.keys(), ...want.elements.keys()]);
  const element = (k: string, v: string) => (v ? `${k} : ${v}` : k);
  for (const map of mapNames) {
    const o = old.elements.get(map) ?? new Map<string, string>();
    const w = want.elements.get(map) ?? new Map<string, string>();
    // The elements of a set of ours that goes away go with it.
    const gone = old.sets.has(map) && !want.sets.has(map) ? [] : [...o].filter(([k, v]) => w.get(k) !== v).map(([k]) => k);
    const added = [...w].filter(([k, v]) => o.get(k) !== v);
    if (gone.length) s.add(`delete element ${t} ${map} { ${gone.join(', ')} }`, key);
    if (added.length) s.add(`add element ${t} ${map} { ${added.map(([k, v]) => element(k, v)).join(', ')} }`, key);
  }
  for (const set of new Set([...old.sharedElements.keys(), ...want.sharedElements.keys()])) {
    const o = old.sharedElements.get(set) ?? new Set<string>();
    const w = want.sharedElements.get(set) ?? new Set<string>();
    const gone = [...o].filter((k) => !w.has(k) && shared.release(set, k));
    const added = [...w].filter((k) => !o.has(k) && shared.acquire(set, k));
    if (gone.length) s.add(`delete element ${t} ${set} { ${gone.join(', ')} }`, key);
    if (added.length) s.add(`add element ${t} ${set} { ${added.join(', ')} }`, key);
  }
  const staleChains = [...old.chains.keys()].filter((n) => !want.chains.has(n));
  // Flushed chains no longer refer to our sets and maps; deleted maps no longer to the chains.
  for (const name of staleChains) s.add(`flush chain ${t} ${name}`, key);
  for (const [name, decl] of old.sets) if (!want.sets.has(name)) s.add(`delete ${kind(decl)} ${t} ${name}`, key);
  for (const name of staleChains) s.add(`delete chain ${t} ${name}`, key);
}

/** The `nftables` entry of proxierFactories: one proxier per family of the service CIDR list (../meta-proxier.ts). */
export const nftablesProxier = (opts: NftablesProxierOptions): Promise<Proxier> => proxierPerFamily('nftables', opts, (o, ipFamily) => NftablesProxier.create({ ...o, ipFamily }));
