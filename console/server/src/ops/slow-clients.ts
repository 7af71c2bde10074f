import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Closes connections that do not finish their first request (or WebSocket upgrade) in time: a silent
 * socket, a TLS handshake that stalls, or headers trickled a byte at a time (slowloris). Node's own
 * `headersTimeout` is only checked every 30 s and never for a connection that sent nothing. Later
 * requests on a kept-alive connection fall under `headersTimeout`/`keepAliveTimeout`; an upgraded
 * agent socket under the gateway's hello timeout.
 */
export function guardSlowClients(server: Server, timeoutMs: number): void {
  if (!(timeoutMs > 0)) return;
  const timers = new WeakMap<Socket, NodeJS.Timeout>();
  const done = (socket: Socket) => {
    const t = timers.get(socket);
    if (t) {
      clearTimeout(t);
      timers.delete(socket);
    }
  };
  // for HTTPS the raw TCP connection is seen here too, so a stalled TLS handshake is covered
  server.on('connection', (socket: Socket) => {
    const t = setTimeout(() => {
      // after a busy spell timers run before pending socket reads: look again once those are read
      setImmediate(() => {
        if (timers.get(socket) !== t) return;
        timers.delete(socket);
        socket.destroy();
      });
    }, timeoutMs);
    t.unref();
    timers.set(socket, t);
    socket.once('close', () => done(socket));
  });
  const seen = (req: { socket: Socket }) => {
    // under TLS req.socket is the TLSSocket; its parent (`_parent`) is the raw socket the timer is on
    const s = req.socket as Socket & { _parent?: Socket };
    done(s);
    if (s._parent) done(s._parent);
  };
  server.on('request', seen);
  server.on('upgrade', seen);
}
