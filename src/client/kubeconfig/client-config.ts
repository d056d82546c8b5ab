// What a client needs to reach one API server as one user, whatever it was loaded from
// (a kubeconfig context, in-cluster service account files, or built by hand in a test).
// Credentials are resolved to PEM text at load time; only tokenFile stays a path, because a
// projected service account token is rotated on disk and must be re-read.

export interface ClientConfig {
  /** https://host:port[/prefix] (http:// is accepted for plain-HTTP test servers). */
  server: string;
  /** PEM bundle that verifies the server; absent = the system's roots. */
  ca?: string;
  /** PEM client certificate and key (mutual TLS). */
  cert?: string;
  key?: string;
  /** Bearer token. */
  token?: string;
  /** File holding a bearer token, re-read when it changes; wins over `token` when readable. */
  tokenFile?: string;
  /** HTTP basic auth (kubeconfig username/password). */
  username?: string;
  password?: string;
  /** Skip verification of the server's certificate (insecure-skip-tls-verify). */
  insecure: boolean;
  /** Name to verify the server certificate against instead of the URL's host (tls-server-name). */
  tlsServerName?: string;
  /** Default namespace for namespaced calls: the context's namespace, else "default". */
  namespace: string;
  /** Where this came from: the context name, or "in-cluster". */
  source?: string;
}

/**
 * The config without its credentials (client-go's rest.AnonymousClientConfig): the same server,
 * CA and TLS settings, no client certificate, token or password; a caller adds its own (a
 * TokenSourceTransport's bearer token).
 */
export function anonymousClientConfig(config: ClientConfig): ClientConfig {
  const { server, ca, insecure, tlsServerName, namespace, source } = config;
  return { server, ca, insecure, tlsServerName, namespace, source };
}
