// Bearer tokens that expire and are fetched again, as client-go's transport/token_source.go over
// golang.org/x/oauth2's TokenSource: a TokenSource fetches a token; a CachingTokenSource hands out
// the one it holds until its expiry, then fetches the next one (one fetch at a time, however many
// requests wait for it), and forgets a token the server refused so the next request fetches anew.
import { realClock, type Clock } from '../clock.js';

export interface Token {
  accessToken: string;
  /** Clock.now() milliseconds from which the token is no longer handed out; absent: never expires. */
  expiry?: number;
}

/** Fetches a new token each time it is asked (oauth2.TokenSource). */
export interface TokenSource {
  token(): Promise<Token>;
}

export interface CachingTokenSourceOptions {
  clock?: Clock;
  /**
   * A refresh failed while a token was held: that token is handed out again and the next request
   * tries to refresh once more (client-go logs "Unable to rotate token" and does the same).
   */
  onRefreshError?: (err: unknown) => void;
}

export class CachingTokenSource {
  private current: Token | undefined;
  /** The fetch in flight; every caller that finds the token expired waits for this one. */
  private fetching: Promise<Token> | undefined;
  private readonly clock: Clock;

  constructor(
    private readonly base: TokenSource,
    private readonly opts: CachingTokenSourceOptions = {},
  ) {
    this.clock = opts.clock ?? realClock;
  }

  /** The token to send: the held one while it has not expired, else a new one from the base. */
  token(): Promise<Token> {
    const t = this.current;
    if (t && (t.expiry === undefined || t.expiry > this.clock.now())) return Promise.resolve(t);
    return (this.fetching ??= this.fetch().finally(() => (this.fetching = undefined)));
  }

  /**
   * A request sent with `token` was answered 401: forget it, unless another token has replaced it
   * since (client-go's ResetTokenOlderThan(request start), said with the token itself), so a
   * refusal of an old token never throws away a new one.
   */
  reset(token: Token): void {
    if (this.current === token) this.current = undefined;
  }

  private async fetch(): Promise<Token> {
    try {
      return (this.current = await this.base.token());
    } catch (err) {
      if (!this.current) throw err;
      this.opts.onRefreshError?.(err);
      return this.current;
    }
  }
}
