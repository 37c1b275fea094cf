/**
 * The call page and the WebSocket a token opens, on the media service's public address. The token
 * rides in the query string because browsers cannot set headers on a WebSocket; the page sends no
 * referrer and is not cached, so it does not leak from there.
 */
export function webCallUrls(publicMediaUrl: string, token: string): { url: string; websocketUrl: string } {
  const page = new URL('/call', publicMediaUrl);
  page.searchParams.set('token', token);
  const socket = new URL('/web', publicMediaUrl);
  socket.protocol = socket.protocol === 'https:' ? 'wss:' : 'ws:';
  socket.searchParams.set('token', token);
  return { url: page.toString(), websocketUrl: socket.toString() };
}
