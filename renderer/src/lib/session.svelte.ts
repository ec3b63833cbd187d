import { api, ApiError, configureApi, messageOf } from './api';
import { landingFor } from './access';
import { isBare, router } from './router.svelte';
import type { User } from '@shoal/server-core/contract';

/** Who is logged in, and the way in and out. Any 401 from the API lands here. */
class Session {
  #user = $state<User | null>(null);
  #checked = $state(false);
  #startupError = $state<string | null>(null);
  /** Where to go after logging in, when a page sent the user to log in. */
  #returnTo: string | null = null;

  constructor() {
    configureApi({ onUnauthorized: () => this.#expired() });
  }

  get user(): User | null {
    return this.#user;
  }
  get isAdmin(): boolean {
    return this.#user?.isAdmin ?? false;
  }
  /** The first "who am I" has answered (either way). */
  get checked(): boolean {
    return this.#checked;
  }
  /** Set when the server could not be asked at start (not a 401). */
  get startupError(): string | null {
    return this.#startupError;
  }

  async restore(): Promise<void> {
    this.#startupError = null;
    try {
      this.#user = await api.me();
    } catch (err) {
      // A 401 already went through #expired.
      if (!(err instanceof ApiError && err.status === 401)) {
        this.#startupError = messageOf(err);
      }
    } finally {
      this.#checked = true;
    }
  }

  /** Throws the server's error (e.g. 401 "The username or password is wrong."). */
  async login(username: string, password: string): Promise<void> {
    const user = await api.login(username, password);
    this.#user = user;
    this.#startupError = null;
    const to = this.#returnTo ?? landingFor(user);
    this.#returnTo = null;
    router.go(to, { replace: true });
  }

  /** Ends the session; the user leaves even when the server cannot be told. */
  async logout(): Promise<void> {
    try {
      await api.logout();
    } catch {
      // the cookie is HttpOnly; a session the server never heard end expires on its own
    } finally {
      this.#user = null;
      this.#returnTo = null;
      router.go('#/login');
    }
  }

  /** Sends the user to the login page, remembering where they were (nowhere for the bare address: then where their role leads). */
  requireLogin(): void {
    if (router.route.name !== 'login') {
      this.#returnTo = isBare(router.hash) ? null : router.hash;
      router.go('#/login', { replace: true });
    }
  }

  #expired(): void {
    this.#user = null;
    this.requireLogin();
  }
}

export const session = new Session();
