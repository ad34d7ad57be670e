import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/** A broker front that speaks only MQTT 3.1.1: it refuses v5 CONNECTs and forwards the rest. */
export interface V5RefusingProxy {
  url: string;
  /** Protocol levels of the CONNECTs seen, in order (5 = refused, 4 = forwarded). */
  connects: number[];
  close(): Promise<void>;
}

/**
 * The CONNACK a broker sends to refuse the protocol level: `0x01` is 3.1.1's "unacceptable
 * protocol version" (what a 3.1.1-only broker answers), `0x84` MQTT 5's "unsupported protocol".
 */
const REFUSALS: Record<0x01 | 0x84, Buffer> = {
  0x01: Buffer.from([0x20, 0x02, 0x00, 0x01]),
  0x84: Buffer.from([0x20, 0x03, 0x00, 0x84, 0x00]),
};

/** Starts the proxy on a free port in front of `target` (host:port of the real broker). */
export async function startV5RefusingProxy(
  target: { host: string; port: number },
  refusal: 0x01 | 0x84,
): Promise<V5RefusingProxy> {
  const connects: number[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      const level = protocolLevelOf(buffered);
      if (level === undefined) return;
      client.off('data', onData);
      connects.push(level);
      if (level === 5) {
        client.end(REFUSALS[refusal]);
        return;
      }
      const upstream = connect(target.port, target.host, () => {
        upstream.write(buffered);
        client.pipe(upstream);
        upstream.pipe(client);
      });
      sockets.add(upstream);
      upstream.on('close', () => {
        sockets.delete(upstream);
        client.destroy();
      });
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
    };
    client.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    connects,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The protocol level byte of a CONNECT packet, once enough bytes arrived. */
function protocolLevelOf(bytes: Buffer): number | undefined {
  let offset = 1;
  // Remaining length: 1-4 bytes, 7 bits each, high bit = more.
  while (offset < bytes.length && (bytes[offset] ?? 0) & 0x80) offset += 1;
  offset += 1;
  const nameLength = bytes.readUInt16BE(offset);
  const levelAt = offset + 2 + nameLength;
  return bytes.length > levelAt ? bytes[levelAt] : undefined;
}
