// The kernel (nftables) mode of the service proxy.
export { NftablesProxier, nftablesProxier, type NftablesProxierOptions, type NftSyncStats } from './proxier.js';
export { nftAvailable } from './nft.js';
export { defaultTableName } from './names.js';
export { MetaProxier } from '../meta-proxier.js';
export { ipv4, ipv6, type NftFamily } from './family.js';
