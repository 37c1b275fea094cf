/** Only same-site paths are followed after sign-in (an open redirect would be a phishing aid). */
export function safeNext(next: string | null): string {
  if (!next?.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  return next;
}
