/** The server decides (length and the common-password list); this only saves a round trip for the obvious. */
export const MIN_PASSWORD_LENGTH = 12;

export function passwordProblem(password: string, confirm: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH)
    return `The password needs at least ${MIN_PASSWORD_LENGTH} characters.`;
  if (password !== confirm) return 'The two passwords differ.';
  return null;
}
