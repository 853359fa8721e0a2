/**
 * A switchable fault in front of the ServiceNow simulator, at the TCP/HTTP level
 * where real instances fail: every ServiceNow fault mode the guard must survive.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export type FaultMode = 'pass' | '503' | '500' | 'reset' | 'refused' | 'hang' | 'html';

/** Every mode in which ServiceNow fails, in the order the bench reports them. */
export const FAULT_MODES: readonly Exclude<FaultMode, 'pass'>[] = ['503', '500', 'reset', 'refused', 'hang', 'html'];

export interface FaultProxy {
  readonly url: string;
  readonly mode: FaultMode;
  /** Switches the fault; `refused` closes the listening socket, anything else reopens it on the same port. */
  set(mode: FaultMode): Promise<void>;
  close(): Promise<void>;
}

const HIBERNATION_PAGE = '<html><head><title>Instance Hibernating page</title></head><body>Your instance is hibernating.</body></html>';

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  let mode: FaultMode = 'pass';
  const sockets = new Set<Socket>();
  const hung = new Set<ServerResponse>();

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    if (mode === 'hang') {
      hung.add(res);
      res.on('close', () => hung.delete(res));
      req.resume();
      return;
    }
    if (mode === 'reset') {
      req.socket.resetAndDestroy();
      return;
    }
    if (mode === '503' || mode === '500') {
      req.resume();
      const status = Number(mode);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: status === 503 ? 'Service Unavailable' : 'Internal error', detail: '' }, status: 'failure' }));
      return;
    }
    if (mode === 'html') {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(HIBERNATION_PAGE);
      return;
    }
    const forward = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  };

  let server: Server = createServer(handle);
  const track = (s: Server) =>
    s.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
  track(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  let listening = true;

  const stop = async () => {
    if (!listening) return;
    listening = false;
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  const start = async () => {
    if (listening) return;
    server = createServer(handle);
    track(server);
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    listening = true;
  };

  return {
    url: `http://127.0.0.1:${port}`,
    get mode() {
      return mode;
    },
    async set(next) {
      mode = next;
      if (next === 'refused') await stop();
      else await start();
      if (next !== 'hang') for (const res of hung) res.destroy();
    },
    async close() {
      for (const res of hung) res.destroy();
      await stop();
    },
  };
}
