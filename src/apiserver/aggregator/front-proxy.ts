// How the API server vouches for a user to an aggregated API server (upstream's requestheader
// authentication): it connects with the front proxy's client certificate and names the user in
// X-Remote-* headers, which the other server believes only from a certificate of the front proxy
// CA with an allowed name. The extension-apiserver-authentication ConfigMap in kube-system tells
// such servers which CA and names and headers those are.
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import type { UserInfo } from '../registry/context.js';

export interface FrontProxyCredentials {
  caCertPem: string;
  clientCertPem: string;
  clientKeyPem: string;
}

export const frontProxyClientName = 'front-proxy-client';
const userHeader = 'X-Remote-User';
const groupHeader = 'X-Remote-Group';
const extraPrefix = 'X-Remote-Extra-';

/** kube-apiserver's ClientCARegistrationHook ConfigMap (with kubeadm's requestheader flags). */
export function extensionAuthenticationConfigMap(clientCaPem: string, frontProxy: FrontProxyCredentials): ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'extension-apiserver-authentication', namespace: 'kube-system' },
    data: {
      'client-ca-file': clientCaPem,
      'requestheader-allowed-names': JSON.stringify([frontProxyClientName]),
      'requestheader-client-ca-file': frontProxy.caCertPem,
      'requestheader-extra-headers-prefix': JSON.stringify([extraPrefix]),
      'requestheader-group-headers': JSON.stringify([groupHeader]),
      'requestheader-username-headers': JSON.stringify([userHeader]),
    },
  };
}

/** Whether a header is one the front proxy sets (a caller's own are dropped, as SetAuthProxyHeaders does). */
export function isIdentityHeader(name: string): boolean {
  return name.toLowerCase().startsWith('x-remote-');
}

/** The identity headers for a user; extra keys are escaped as upstream escapes them. */
export function identityHeaders(user: UserInfo): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = { [userHeader]: user.username };
  if (user.groups.length) headers[groupHeader] = user.groups;
  for (const [key, values] of Object.entries(user.extra ?? {})) headers[`${extraPrefix}${encodeURIComponent(key)}`] = values;
  return headers;
}
