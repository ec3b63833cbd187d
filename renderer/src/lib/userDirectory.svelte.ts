import { usersApi } from './api';
import { RemoteList } from './remoteList.svelte';
import type { NewUser, TeamBody, UserPatch } from '@shoal/server-core/contract';

/**
 * The users and teams an administrator manages. They are loaded and reloaded together: a
 * user's roles come from their teams, and a team counts its members.
 */
export class UserDirectory {
  readonly users = new RemoteList(() => usersApi.list());
  readonly teams = new RemoteList(() => usersApi.teams());

  get loaded(): boolean {
    return this.users.loaded && this.teams.loaded;
  }
  get error(): string | null {
    return this.users.error ?? this.teams.error;
  }

  async refresh(): Promise<void> {
    await Promise.all([this.users.refresh(), this.teams.refresh()]);
  }

  // Every change reloads both lists; each throws the server's error.
  #change<R>(work: () => Promise<R>): Promise<R> {
    return this.users.change(() => this.teams.change(work));
  }

  createUser = (user: NewUser) => this.#change(() => usersApi.create(user));
  updateUser = (id: string, patch: UserPatch) => this.#change(() => usersApi.update(id, patch));
  removeUser = (id: string) => this.#change(() => usersApi.remove(id));
  createTeam = (team: TeamBody) => this.#change(() => usersApi.createTeam(team));
  updateTeam = (id: string, team: TeamBody) => this.#change(() => usersApi.updateTeam(id, team));
  removeTeam = (id: string) => this.#change(() => usersApi.removeTeam(id));
}
