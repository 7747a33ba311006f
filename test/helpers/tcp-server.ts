import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { portOf } from './free-port.js';

export interface TcpServer {
  port: number;
  /** Destroys every connection, then closes the server. */
  stop: () => Promise<void>;
}

/** A TCP server on 127.0.0.1 whose connections are handed to `onSocket` (socket errors are ignored). */
export async function startTcpServer(onSocket: (socket: Socket) => void): Promise<TcpServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    onSocket(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: portOf(server),
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
