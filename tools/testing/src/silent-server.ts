import { createServer, type AddressInfo, type Socket } from "node:net";

/** A peer that hangs after the handshake: see {@link startSilentServer}. */
export interface SilentServer {
  port: number;
  /** `http://127.0.0.1:<port>`, for a client that takes an endpoint URL. */
  url: string;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Closes the server and every connection it holds. */
  close(): Promise<void>;
}

/**
 * A TCP server on 127.0.0.1 that accepts every connection and never sends a byte: the endpoint
 * of a region that is half down, which a client's connect timeout does not catch.
 */
export async function startSilentServer(): Promise<SilentServer> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    sockets.add(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    get connections() {
      return connections;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
