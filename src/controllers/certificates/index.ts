// Certificates and bootstrap tokens: the CSR approver and signer that complete a node agent's TLS
// bootstrap, and the cleaner of expired bootstrap tokens.
export { csrApprovingController, newCSRApprovingController, NODE_CLIENT_MESSAGE, SELF_NODE_CLIENT_MESSAGE, type CSRApprovingOptions } from './approver.js';
export { csrSigningController, newCSRSigningController, DEFAULT_SIGNING_DURATION_MS, type CSRSigningOptions } from './signer.js';
export { tokenCleanerController, newTokenCleaner, type TokenCleanerOptions } from './token-cleaner.js';
export { certificateSigningRequests, updateApproval, type CSR } from './csr-resource.js';
