// Stale UDP conntrack entries after endpoint changes (kernel mode).
export { Conntrack, defaultConntrackPath, parseEntries, type ConntrackEntry, type ConntrackFilter } from './conntrack.js';
export { StaleFlowCleaner, staleFilters } from './cleanup.js';
