import { once } from 'node:events';
import type { Server } from 'node:http';
import type { Express } from 'express';
import type { Logger } from '../core/index.js';
import { rawProblemResponse } from './problem.js';

/** What the HTTP parser refuses before express sees a request, as problem+json. */
function parserRefusal(code: string | undefined): { status: number; code: string; detail: string } {
  if (code === 'HPE_HEADER_OVERFLOW') return { status: 431, code: 'HEADERS_TOO_LARGE', detail: 'The request headers are too large.' };
  if (code === 'HPE_URI_TOO_LONG') return { status: 414, code: 'URI_TOO_LONG', detail: 'The request URI is too long.' };
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return { status: 408, code: 'REQUEST_TIMEOUT', detail: 'The request was not received in time.' };
  return { status: 400, code: 'MALFORMED_REQUEST', detail: 'The request is not valid HTTP/1.1.' };
}

/**
 * Answers what never becomes an express request: oversized headers, malformed
 * requests (Node's bare 400/431 otherwise) and CONNECT, each as problem+json
 * on a closing connection. Logged once, at info: it is the client's error.
 */
function answerClientErrors(server: Server, logger: Logger): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (err.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
    const refusal = parserRefusal(err.code);
    logger.info({ code: refusal.code, parserCode: err.code, status: refusal.status }, 'request refused by the HTTP parser');
    socket.end(rawProblemResponse(refusal.status, refusal.code, refusal.detail));
  });
  server.on('connect', (_req, socket) => {
    socket.end(rawProblemResponse(405, 'METHOD_NOT_ALLOWED', 'CONNECT is not allowed.'));
  });
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  /** Stops accepting connections, lets in-flight requests finish (up to `graceMs`), then resolves. */
  close(graceMs?: number): Promise<void>;
}

/** Listens on host:port (0 = ephemeral) and resolves once bound. */
export async function startServer(app: Express, options: { host: string; port: number; logger: Logger }): Promise<RunningServer> {
  const server: Server = app.listen(options.port, options.host);
  answerClientErrors(server, options.logger);
  await once(server, 'listening');
  server.keepAliveTimeout = 5_000;
  const address = server.address();
  // A server listening on host:port has a TCP address; a string would be a pipe.
  if (address === null || typeof address === 'string') throw new Error('startServer: the server has no TCP address');
  const { port } = address;
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
