/**
 * A TCP proxy between the app and PostgreSQL that counts database round trips, independently of Prisma.
 *
 * It reads only the client-to-server half of the PostgreSQL wire protocol: a round trip is a message the
 * client must wait on the server for, i.e. a simple query ('Q') or the Sync ('S') that closes an
 * extended-protocol batch (Parse/Bind/Describe/Execute). The SQL of each round trip comes from its 'Q' text
 * or from the Parse ('P') that prepared the statement it binds. Hand-parsing the protocol is the point here:
 * what Prisma reports about itself is exactly what this measurement must not rely on.
 * @see https://www.postgresql.org/docs/current/protocol-message-formats.html
 */
import { createServer, connect, type Server, type Socket } from "node:net";

export interface RoundTrip {
  /** performance.now() when the client sent it. */
  at: number;
  connection: number;
  /** Statements in it, SQL text shortened to 80 characters. */
  sql: string[];
}

export interface PgProxy {
  /** Connection string of the proxy: the upstream URL with host and port replaced. */
  url: string;
  roundTrips: RoundTrip[];
  /** Connections the app opened through the proxy so far. */
  connectionsOpened(): number;
  /** True once a client asked for TLS: its traffic cannot be read, so the counts are incomplete. */
  opaque(): boolean;
  close(): Promise<void>;
}

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const short = (sql: string) => sql.replace(/\s+/g, " ").trim().slice(0, 80);

export async function startPgProxy(upstreamUrl: string): Promise<PgProxy> {
  const upstream = new URL(upstreamUrl);
  const roundTrips: RoundTrip[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  let sawTls = false;

  const server: Server = createServer((client) => {
    const id = ++connections;
    const backend = connect({ host: upstream.hostname, port: Number(upstream.port || 5432) });
    for (const socket of [client, backend]) {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => client.destroy());
    }
    backend.on("close", () => client.destroy());
    client.on("close", () => backend.destroy());
    backend.pipe(client);

    const reader = new ClientStreamReader(id, roundTrips, () => (sawTls = true));
    client.on("data", (chunk: Buffer) => {
      reader.push(chunk);
      backend.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;

  const url = new URL(upstreamUrl);
  url.hostname = "127.0.0.1";
  url.port = String(port);
  return {
    url: url.toString(),
    roundTrips,
    connectionsOpened: () => connections,
    opaque: () => sawTls,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Splits one connection's client-to-server byte stream into messages and records its round trips. */
class ClientStreamReader {
  private buffer = Buffer.alloc(0);
  /** The first message of a connection (and the one after an SSL/GSS request) has no type byte. */
  private expectStartup = true;
  private stopped = false;
  private pending: string[] = [];
  private prepared = new Map<string, string>();

  constructor(
    private readonly connection: number,
    private readonly out: RoundTrip[],
    private readonly onTls: () => void,
  ) {}

  push(chunk: Buffer) {
    if (this.stopped) return;
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      if (this.expectStartup) {
        if (this.buffer.length < 8) return;
        const length = this.buffer.readInt32BE(0);
        if (this.buffer.length < length) return;
        const code = this.buffer.readInt32BE(4);
        this.buffer = this.buffer.subarray(length);
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
          // Whatever the server answers, if it is "yes" the rest is encrypted; if "no", another startup follows.
          this.onTls();
          this.stopped = true;
          return;
        }
        this.expectStartup = false;
        continue;
      }
      if (this.buffer.length < 5) return;
      const length = this.buffer.readInt32BE(1);
      if (this.buffer.length < 1 + length) return;
      const type = String.fromCharCode(this.buffer[0]!);
      const body = this.buffer.subarray(5, 1 + length);
      this.buffer = this.buffer.subarray(1 + length);
      this.onMessage(type, body);
    }
  }

  private onMessage(type: string, body: Buffer) {
    switch (type) {
      case "Q":
        this.out.push({
          at: performance.now(),
          connection: this.connection,
          sql: [short(cString(body, 0).text)],
        });
        break;
      case "P": {
        const name = cString(body, 0);
        const sql = short(cString(body, name.end).text);
        this.prepared.set(name.text, sql);
        break;
      }
      case "B": {
        const portal = cString(body, 0);
        const statement = cString(body, portal.end).text;
        this.pending.push(this.prepared.get(statement) ?? `(prepared statement ${statement || "unnamed"})`);
        break;
      }
      case "S":
        this.out.push({ at: performance.now(), connection: this.connection, sql: this.pending });
        this.pending = [];
        break;
    }
  }
}

function cString(buffer: Buffer, start: number): { text: string; end: number } {
  const end = buffer.indexOf(0, start);
  return { text: buffer.toString("utf8", start, end), end: end + 1 };
}
