// Helpers for the IPv6 and dual-stack proxy/DNS tests: an in-process API server with a chosen
// service CIDR list (EndpointSlices of either address type: helpers.ts writeSliceOf).
import type { Client } from '../../src/client/rest/client.js';
import { startInProcessApi } from '../client/transport/in-process-api.js';

export interface DualStackApi {
  client: Client;
  close(): Promise<void>;
}

/** The real API server in-process with `serviceCIDR` (e.g. "10.96.0.0/16,fd00:10:96::/112"); no controllers (the tests write Services and EndpointSlices only). */
export async function startApiWithServiceCidr(serviceCIDR: string): Promise<DualStackApi> {
  const api = await startInProcessApi({ server: { serviceCIDR }, serviceAccounts: false, rootCA: false });
  return { client: api.client(), close: api.close };
}
