/**
 * How a browser gets into shoal-manager: the one-time token printed in the URL's fragment (so it
 * never reaches a log or a Referer) is exchanged once for an HttpOnly session cookie. Sessions
 * live in memory: a restart prints a new link.
 */
import crypto from 'node:crypto';

export const SESSION_COOKIE = 'shoal_manager_session';

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest();

export class SessionGate {
  #token: Buffer | undefined;
  readonly #sessions = new Set<string>();

  /** A new one-time token (any earlier unused one stops working). */
  issueToken(): string {
    const token = crypto.randomBytes(32).toString('base64url');
    this.#token = sha256(token);
    return token;
  }

  /** The session cookie's value for the right token, once; undefined otherwise. */
  exchange(token: string): string | undefined {
    if (!this.#token || !crypto.timingSafeEqual(sha256(token), this.#token)) return undefined;
    this.#token = undefined;
    const session = crypto.randomBytes(32).toString('base64url');
    this.#sessions.add(sha256(session).toString('hex'));
    return session;
  }

  isValid(session: string | undefined): boolean {
    return !!session && this.#sessions.has(sha256(session).toString('hex'));
  }
}
