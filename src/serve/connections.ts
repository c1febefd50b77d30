// The server's connections and the requests in progress on each, so that a stop can close
// every connection that holds no request (idle keep-alive ones, and new ones no request has
// come on yet: Node's closeIdleConnections() leaves those), and each of the others as soon
// as its last request has been answered.

import type { Server } from 'node:http';
import type { Socket } from 'node:net';

export class ConnectionTracker {
  private readonly busy = new Map<Socket, number>();
  private closing = false;

  constructor(server: Server) {
    server.on('connection', (socket: Socket) => {
      this.busy.set(socket, 0);
      socket.once('close', () => this.busy.delete(socket));
    });
  }

  /** A request has started on `socket`; `done` when its response has ended or failed. */
  begin(socket: Socket): () => void {
    this.busy.set(socket, (this.busy.get(socket) ?? 0) + 1);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      const n = (this.busy.get(socket) ?? 1) - 1;
      if (!this.busy.has(socket)) return;
      this.busy.set(socket, n);
      // Ends the connection once what was written has gone out.
      if (this.closing && n === 0) socket.destroySoon();
    };
  }

  /** From now on, a connection is closed once it holds no request; those idle now, at once. */
  closeIdle(): void {
    this.closing = true;
    for (const [socket, n] of this.busy) if (n === 0) socket.destroy();
  }
}
