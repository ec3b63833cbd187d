import { COMMON_PASSWORDS } from './commonPasswords.js';

export const MIN_PASSWORD_LENGTH = 12;

/**
 * Why a password is refused, or undefined when it is acceptable: at least 12 characters,
 * not on the list of common passwords shipped with Shoal, not the username itself, and not one
 * character or a plain keyboard or digit run repeated.
 */
export function passwordProblem(password: string, username?: string): string | undefined {
  if ([...password].length < MIN_PASSWORD_LENGTH) return `must be at least ${MIN_PASSWORD_LENGTH} characters long`;
  const lower = password.toLowerCase();
  if (COMMON_PASSWORDS.has(lower)) return 'is on the list of commonly used passwords; choose another';
  if (username && lower === username.toLowerCase()) return 'must not be the username';
  if (new Set(lower).size <= 2) return 'must use more than two different characters';
  if (isRun(lower)) return 'must not be a plain run of keys or digits';
  return undefined;
}

const RUNS = ['abcdefghijklmnopqrstuvwxyz', '01234567890', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm'];

/** A password made of one run (or a run repeated), e.g. `123456789012` or `qwertyqwerty`. */
function isRun(p: string): boolean {
  for (let len = 3; len <= p.length / 2; len++) {
    if (p.length % len === 0 && p.slice(0, len).repeat(p.length / len) === p) return true;
  }
  return RUNS.some((run) => {
    const doubled = run + run;
    return doubled.includes(p) || [...doubled].reverse().join('').includes(p);
  });
}
