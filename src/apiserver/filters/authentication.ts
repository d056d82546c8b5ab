// Authentication: who is asking. Client certificates signed by the cluster CA (CN = user,
// O = groups), bearer tokens from pluggable token authenticators, else system:anonymous.
import type { TLSSocket } from 'node:tls';
import type { UserInfo } from '../registry/context.js';
import type { Request } from '../http/body.js';

export interface TokenAuthenticator {
  /** Resolves the user a bearer token stands for, or undefined if this authenticator does not know it. */
  authenticate(token: string): Promise<UserInfo | undefined>;
}

/** In-process requests (components in this process) carry their user on the request object under
 *  this symbol; nothing from the network can set it. The client library uses the same Symbol.for. */
export const inProcessUserKey = Symbol.for('k8ts.in-process-user');

export const anonymousUser: UserInfo = { username: 'system:anonymous', groups: ['system:unauthenticated'] };

const certUsers = new WeakMap<object, UserInfo | null>();

function userFromCertificate(socket: TLSSocket): UserInfo | undefined {
  const cached = certUsers.get(socket);
  if (cached !== undefined) return cached ?? undefined;
  let user: UserInfo | null = null;
  if (socket.authorized) {
    const cert = socket.getPeerCertificate();
    const subject = cert?.subject as unknown as Record<string, string | string[]> | undefined;
    const cn = subject?.CN;
    if (typeof cn === 'string' && cn) {
      const o = subject?.O;
      const groups = o === undefined ? [] : Array.isArray(o) ? o : [o];
      user = { username: cn, groups: [...groups, 'system:authenticated'] };
    }
  }
  certUsers.set(socket, user);
  return user ?? undefined;
}

export class Authenticator {
  constructor(private readonly tokens: TokenAuthenticator[] = []) {}

  /**
   * The request's user; undefined means credentials were presented and rejected (401). Only a
   * bearer token is looked up asynchronously: a certificate or in-process user is answered at once,
   * without a promise and a microtask turn on every request.
   */
  authenticate(req: Request): UserInfo | undefined | Promise<UserInfo | undefined> {
    const inProcess = (req as unknown as Record<symbol, UserInfo | undefined>)[inProcessUserKey];
    if (inProcess) return { ...inProcess, groups: [...new Set([...inProcess.groups, 'system:authenticated'])] };
    const auth = req.headers.authorization;
    if (auth) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
      if (m) return this.fromToken(m[1]);
    }
    // The certificate is parsed once per connection: the user is cached on the TLS socket, and
    // looked up first (an HTTP/2 session's socket is a Proxy that binds every method it is asked
    // for, getPeerCertificate included).
    const socket = req.socket as TLSSocket | undefined;
    if (socket === undefined || socket === null) return anonymousUser;
    const known = certUsers.get(socket);
    if (known !== undefined) return known ?? anonymousUser;
    if (typeof socket.getPeerCertificate === 'function') {
      const user = userFromCertificate(socket);
      if (user) return user;
    }
    return anonymousUser;
  }

  private async fromToken(token: string): Promise<UserInfo | undefined> {
    for (const t of this.tokens) {
      const user = await t.authenticate(token);
      if (user) return user;
    }
    return undefined;
  }
}
