// The iptables kernel mode of the service proxy (the fallback where nft is missing).
export { IptablesProxier, iptablesProxier, cleanupRules, type IptablesProxierOptions, type IptablesSyncStats } from './proxier.js';
export { iptablesAvailable } from './iptables.js';
