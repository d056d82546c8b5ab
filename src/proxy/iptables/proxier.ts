// The iptables kernel mode of the service proxy, the fallback where nft is missing: upstream
// kube-proxy's iptables mode (KUBE-SERVICES → KUBE-SVC-/KUBE-SVL-/KUBE-EXT- → KUBE-SEP-, see
// rules.ts and base.ts), applied with `iptables-restore --noflush`. The proxier remembers, per
// service port, the chains and shared-chain rules it wrote; a sync computes the wanted ones of the
// changed service ports only and writes the difference as upstream's partial sync does, but
// narrower: a chain whose rules differ is declared (so emptied) and rewritten, new chains are
// created, chains no longer wanted are emptied and deleted, and rules in the shared chains
// (KUBE-SERVICES, KUBE-NODEPORTS, KUBE-EXTERNAL-SERVICES) are deleted and inserted one by one
// instead of rewriting those chains whole. A full sync (every chain of ours rewritten, leftovers
// of an earlier run deleted) runs first and after a failed update (the kernel then still has its
// state before that table's COMMIT, but we no longer trust our record). After a sync that touched
// a UDP service port, stale UDP conntrack entries are deleted (../conntrack). sync() calls never
// overlap (Proxier contract).
//
// Big updates are split (SyncPlan): iptables-restore's nf_tables backend takes time quadratic in
// the lines of one --noflush input (32,000 rules over 11,000 chains: 40–50 s in one input, 5 s
// in inputs of 2,000 lines). So the service ports' own chains go in inputs of about
// `maxInputLines`, each chain whole in one input (so each chain changes atomically), and a
// final input then switches the shared chains over to them and deletes what is stale. Until
// the final input, new chains are unreferenced and rewritten ones get their new content, which
// is what the next input's chains expect; a small update is one input.
import type { Logger } from 'pino';
import type { Proxier, ProxierOptions, ProxyState } from '../proxier.js';
import type { ServicePortKey } from '../service-port.js';
import { deleteJumps, isOurs, writeBase, writeMarkMasq, writeNodePortJumps } from './base.js';
import { defaultIptablesRestorePath, defaultIptablesSavePath, IptablesError, restore, save, saveTables } from './iptables.js';
import { toolPaths } from './family.js';
import { familyOf, type NftFamily } from '../nftables/family.js';
import { proxierPerFamily, type IpFamily } from '../meta-proxier.js';
import { natChains } from './names.js';
import { RestoreInput } from './restore-input.js';
import { emptyRules, hasRules, rulesFor, type ServicePortRules, type Table } from './rules.js';
import { KernelHostSetup } from '../kernel-host.js';
import { StaleFlowCleaner } from '../conntrack/cleanup.js';

export interface IptablesProxierOptions extends ProxierOptions {
  /** The family this proxier serves: IPv4 (default) through iptables, IPv6 through ip6tables. */
  ipFamily?: IpFamily;
  /** Default: iptables-restore, or ip6tables-restore for IPv6. */
  iptablesRestorePath?: string;
  iptablesSavePath?: string;
  /** Set net.ipv4.conf.all.route_localnet=1 while running (restored on stop), so traffic from other hosts reaches loopback endpoints; default true (IPv4 only: IPv6 has no such setting). */
  routeLocalnet?: boolean;
  /** Route the service CIDR to lo (removed on stop); default true. */
  manageLocalRoute?: boolean;
  /** Delete stale UDP conntrack entries after syncs that changed a UDP service port (needs the conntrack tool); default true. */
  cleanStaleFlows?: boolean;
  conntrackPath?: string;
}

export interface IptablesSyncStats {
  full: boolean;
  /** Service ports in the update. */
  servicePorts: number;
  /** Lines of iptables-restore input. */
  lines: number;
  /** Time to build the input and for iptables-restore to apply it. */
  buildMs: number;
  applyMs: number;
}

const tables: readonly Table[] = ['filter', 'nat'];
/** Lines per iptables-restore input before a big update is split (see above). */
const maxInputLines = 2000;

/** The inputs of one update: the service ports' own chains in chunks, then the shared chains and deletions. */
export class SyncPlan {
  readonly chunks: RestoreInput[] = [new RestoreInput()];
  readonly final = new RestoreInput();

  /** Where own chains go now. */
  get chains(): RestoreInput {
    return this.chunks[this.chunks.length - 1];
  }

  /** Called between service ports: starts a new chunk when this one is full. */
  boundary(): void {
    if (this.chains.size >= maxInputLines) this.chunks.push(new RestoreInput());
  }

  /** The inputs to apply in order (one, when everything fits in one). Call once, when the plan is complete. */
  inputs(): RestoreInput[] {
    const chunks = this.chunks.filter((c) => c.size > 0);
    if (chunks.length === 1 && chunks[0].size + this.final.size <= maxInputLines) {
      this.final.prepend(chunks[0]);
      this.chunks.splice(0, this.chunks.length, new RestoreInput());
      return [this.final];
    }
    return [...chunks, this.final];
  }
}

/** A failed input, with the input (for blaming the service ports that wrote the lines named). */
class InputFailed extends Error {
  constructor(
    readonly input: RestoreInput,
    readonly error: unknown,
  ) {
    super((error as Error).message);
  }
}

export class IptablesProxier implements Proxier {
  readonly mode = 'iptables';
  readonly family: NftFamily;
  /** What the kernel has, per service port, as of the last successful update. */
  private written = new Map<ServicePortKey, ServicePortRules>();
  private fullSyncNeeded = true;
  /** Service ports iptables-restore rejected; left out until they change again. */
  readonly failed = new Map<ServicePortKey, string>();
  lastSync: IptablesSyncStats | undefined;
  private readonly log: Logger;
  private readonly restorePath: string;
  private readonly savePath: string;
  private host: KernelHostSetup | undefined;
  readonly staleFlows: StaleFlowCleaner | undefined;

  private constructor(private readonly opts: IptablesProxierOptions) {
    this.log = opts.log;
    this.family = familyOf(opts.ipFamily ?? 'IPv4');
    this.restorePath = opts.iptablesRestorePath ?? toolPaths[this.family.ipFamily].restore;
    this.savePath = opts.iptablesSavePath ?? toolPaths[this.family.ipFamily].save;
    this.staleFlows = StaleFlowCleaner.forProxier(opts, this.family.ipFamily, opts.log);
  }

  static async create(opts: IptablesProxierOptions): Promise<IptablesProxier> {
    const p = new IptablesProxier(opts);
    p.host = await KernelHostSetup.apply({ ...opts, ipFamily: p.family.ipFamily }, p.log);
    return p;
  }

  /** `iptables-save` of the nat and filter tables (for tests and debugging). */
  async listRules(): Promise<string> {
    return (await save('filter', this.savePath)) + (await save('nat', this.savePath));
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
    const plan = new SyncPlan();
    const next = new Map<ServicePortKey, ServicePortRules>();
    for (const key of changed) {
      this.failed.delete(key);
      const want = this.wanted(state, key);
      writeDiff(plan, key, this.written.get(key) ?? emptyRules(), want);
      next.set(key, want);
    }
    const built = performance.now();
    let lines: number;
    try {
      lines = await this.apply(plan);
    } catch (err) {
      this.blame(err, 'incremental update failed; rewriting all chains', false);
      this.fullSyncNeeded = true;
      return this.fullSync(state);
    }
    for (const [key, r] of next) {
      if (hasRules(r)) this.written.set(key, r);
      else this.written.delete(key);
    }
    if (lines) this.lastSync = { full: false, servicePorts: changed.size, lines, buildMs: built - started, applyMs: performance.now() - built };
  }

  /** Applies the plan's inputs in order; resolves with the lines applied, rejects with InputFailed. */
  private async apply(plan: SyncPlan): Promise<number> {
    let lines = 0;
    for (const input of plan.inputs()) {
      const text = input.text();
      if (!text) continue;
      try {
        await restore(text, this.restorePath);
      } catch (err) {
        throw new InputFailed(input, err);
      }
      lines += input.size;
    }
    return lines;
  }

  /**
   * Rewrites every chain of ours with every service port and deletes chains of ours nobody
   * wants (a previous run's). A service port whose lines iptables-restore rejects is left out
   * (and logged) and the rest retried, so one bad service cannot keep the others from working.
   */
  private async fullSync(state: ProxyState): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const started = performance.now();
      const saved = await saveTables(this.savePath);
      const plan = new SyncPlan();
      // The endpoint chains jump to KUBE-MARK-MASQ, which must exist before the first chunk.
      writeMarkMasq(plan.chains);
      for (const t of tables) deleteJumps(plan.final, t, saved[t]);
      writeBase(plan.final);
      const next = new Map<ServicePortKey, ServicePortRules>();
      for (const key of state.services.keys()) {
        if (this.failed.has(key)) continue;
        const want = this.wanted(state, key);
        writeDiff(plan, key, emptyRules(), want);
        if (hasRules(want)) next.set(key, want);
      }
      writeNodePortJumps(plan.final, this.opts.nodeAddresses, this.family);
      const wantedChains = new Set([...next.values()].flatMap((r) => [...r.chains.keys()]));
      for (const chain of saved.nat.chains.keys()) if (isOurs('nat', chain) && !Object.values(natChains).includes(chain as never) && !wantedChains.has(chain)) plan.final.deleteChain('nat', chain);
      const built = performance.now();
      let lines: number;
      try {
        lines = await this.apply(plan);
      } catch (err) {
        const owners = this.blame(err, 'full rewrite of the rules failed');
        if (!owners.length || attempt >= 5) throw err instanceof InputFailed ? err.error : err;
        continue;
      }
      this.written = next;
      this.fullSyncNeeded = false;
      this.lastSync = { full: true, servicePorts: next.size, lines, buildMs: built - started, applyMs: performance.now() - built };
      return;
    }
  }

  private wanted(state: ProxyState, key: ServicePortKey): ServicePortRules {
    const info = state.services.get(key);
    if (!info) return emptyRules();
    return rulesFor(info, state.endpoints.get(key) ?? [], this.opts.nodeName, this.opts.nodeAddresses.some(this.family.has), this.family, this.opts.nodeAddresses);
  }

  /**
   * Logs a failed update with the service ports whose lines the tool named, and (`mark`) records
   * them as failed. An incremental failure marks nobody: its cause may be our record of the
   * kernel, not the service port, and the full rewrite that follows finds out.
   */
  private blame(failure: unknown, msg: string, mark = true): ServicePortKey[] {
    const input = failure instanceof InputFailed ? failure.input : undefined;
    const err = failure instanceof InputFailed ? failure.error : failure;
    const lines = err instanceof IptablesError ? err.lines : [];
    const owners = input?.ownersOf(lines) ?? [];
    const stderr = err instanceof IptablesError ? err.stderr.trim() : String(err);
    if (mark) for (const key of owners) this.failed.set(key, stderr);
    this.log.error({ servicePorts: owners, lines: lines.slice(0, 5).map((n) => input?.lineAt(n)), stderr: stderr.slice(0, 2000) }, msg);
    return owners;
  }

  /** Deletes every chain of ours and every jump into them (upstream CleanupLeftovers), restores the sysctl and route. */
  async stop(): Promise<void> {
    try {
      await cleanupRules(this.restorePath, this.savePath);
    } finally {
      this.written.clear();
      this.fullSyncNeeded = true;
      await this.host?.restore();
      this.host = undefined;
    }
  }
}

/**
 * Removes our chains and the jumps into them from the filter and nat tables (also what a previous
 * run left): first the jumps, then every chain of ours emptied, then deleted — in inputs of
 * `maxInputLines` (see SyncPlan for why), which is safe in any order once nothing jumps into them.
 */
export async function cleanupRules(restorePath = defaultIptablesRestorePath, savePath = defaultIptablesSavePath): Promise<void> {
  const jumps = new RestoreInput();
  const ours: { table: Table; chain: string }[] = [];
  const saved = await saveTables(savePath);
  for (const t of tables) {
    deleteJumps(jumps, t, saved[t]);
    for (const chain of saved[t].chains.keys()) if (isOurs(t, chain)) ours.push({ table: t, chain });
  }
  const inputs = [jumps];
  for (let i = 0; i < ours.length; i += maxInputLines) {
    const flush = new RestoreInput();
    for (const { table, chain } of ours.slice(i, i + maxInputLines)) flush.declare(table, chain);
    inputs.push(flush);
  }
  for (let i = 0; i < ours.length; i += maxInputLines) {
    const remove = new RestoreInput();
    for (const { table, chain } of ours.slice(i, i + maxInputLines)) remove.rule(table, `-X ${chain}`);
    inputs.push(remove);
  }
  for (const input of inputs) {
    const text = input.text();
    if (text) await restore(text, restorePath);
  }
}

const sameRules = (a: readonly string[] | undefined, b: readonly string[]) => !!a && a.length === b.length && a.every((r, i) => r === b[i]);

/**
 * Adds to `plan` what turns `old` into `want` for one service port: its new and changed chains
 * declared and (re)written, each whole in one chunk; then, in the final input, its shared-chain
 * rules deleted and added one by one (into nat KUBE-SERVICES at the top, so the node-port
 * jumps stay last) and its chains no longer wanted emptied and deleted after everything else.
 */
export function writeDiff(plan: SyncPlan, key: ServicePortKey, old: ServicePortRules, want: ServicePortRules): void {
  for (const [name, rules] of want.chains) {
    if (sameRules(old.chains.get(name), rules)) continue;
    plan.chains.declare('nat', name, key);
    for (const r of rules) plan.chains.rule('nat', `-A ${name} ${r}`, key);
  }
  for (const [id, r] of old.shared) if (!want.shared.has(id)) plan.final.rule(r.table, `-D ${r.chain} ${r.rule}`, key);
  for (const [id, r] of want.shared) {
    if (old.shared.has(id)) continue;
    const top = r.table === 'nat' && r.chain === natChains.services;
    plan.final.rule(r.table, top ? `-I ${r.chain} 1 ${r.rule}` : `-A ${r.chain} ${r.rule}`, key);
  }
  for (const name of old.chains.keys()) if (!want.chains.has(name)) plan.final.deleteChain('nat', name, key);
  plan.boundary();
}

/** The `iptables` entry of proxierFactories: one proxier per family of the service CIDR list (../meta-proxier.ts), IPv6 through ip6tables. */
export const iptablesProxier = (opts: IptablesProxierOptions): Promise<Proxier> => proxierPerFamily('iptables', opts, (o, ipFamily) => IptablesProxier.create({ ...o, ipFamily }));

