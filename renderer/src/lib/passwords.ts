import { PasswordReset } from '@shoal/server-core/contract';

/** The password policy in the contract's words, shown next to every new password; the server judges it. */
export const PASSWORD_POLICY: string = PasswordReset.properties.newPassword.description ?? '';

/** Why a new password typed twice cannot be sent: only the repeat is checked here. */
export function repeatProblem(password: string, repeat: string): string | null {
  return password === repeat ? null : 'The two passwords differ; type the same one twice.';
}
