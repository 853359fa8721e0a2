import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { Logger } from '../core/logger.js';

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  /** Stops accepting connections, lets in-flight requests finish (up to `graceMs`), then resolves. */
  close(graceMs?: number): Promise<void>;
}

/** Listens on host:port (0 = ephemeral) and resolves once bound. */
export async function startServer(app: Express, options: { host: string; port: number; logger: Logger }): Promise<RunningServer> {
  const server: Server = app.listen(options.port, options.host);
  await once(server, 'listening');
  server.keepAliveTimeout = 5_000;
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `http://${host}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    close(graceMs = 10_000) {
      closing ??= new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          options.logger.warn({ graceMs }, 'grace period over; closing remaining connections');
          server.closeAllConnections();
        }, graceMs);
        force.unref();
        // Keep-alive sockets would otherwise hold close() open until they time out:
        // close them as soon as their in-flight response is done.
        const sweep = setInterval(() => server.closeIdleConnections(), 50);
        server.close(() => {
          clearTimeout(force);
          clearInterval(sweep);
          resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}
