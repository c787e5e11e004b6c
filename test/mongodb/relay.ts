/**
 * A loopback relay between a store and the MongoDB-wire server, for the tests of what the store
 * does when the network fails it. Not a test file itself.
 *
 * It reads the wire protocol on the way (OP_MSG, the only opcode the driver sends: a 16-byte
 * header, flag bits, then a kind-0 section holding the command document), logs each command by
 * name and collection, and can fail a chosen command once, as a network or a server can:
 * - 'drop-request': the connection breaks before the command reaches the server;
 * - 'drop-reply': the server executes the command, and the connection breaks before its reply
 *   arrives (the client cannot know whether it was applied);
 * - 'replay': the server receives the command twice (a reply lost and the command sent again);
 *   the client gets the second reply;
 * - { reply }: the server never sees the command; the client gets `reply` (a server's refusal);
 * - { amend }: the server executes the command; its reply carries the extra fields `amend` (what a
 *   replica set adds that a single server never does, e.g. a writeConcernError).
 * Everything else passes through unchanged, byte for byte. cut() breaks every connection for good.
 */
import net from 'node:net';
import { BSON, type Document } from 'mongodb';

const OP_MSG = 2013;

export type Fault = 'drop-request' | 'drop-reply' | 'replay' | { reply: Document } | { amend: Document };

export interface CommandSeen {
  command: string;
  collection: string;
  /** The command document as sent. */
  doc: Document;
}

interface Armed extends Omit<CommandSeen, 'doc'> {
  fault: Fault;
  hit: () => void;
}

/** One wire message: its header fields and the bytes of the whole message. */
interface Message {
  requestId: number;
  responseTo: number;
  opCode: number;
  bytes: Buffer;
}

/** Splits a byte stream into wire messages (each starts with its int32 length). */
class Framer {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Message[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const out: Message[] = [];
    while (this.pending.length >= 16) {
      const length = this.pending.readInt32LE(0);
      if (this.pending.length < length) break;
      const bytes = this.pending.subarray(0, length);
      this.pending = this.pending.subarray(length);
      out.push({
        requestId: bytes.readInt32LE(4),
        responseTo: bytes.readInt32LE(8),
        opCode: bytes.readInt32LE(12),
        bytes,
      });
    }
    return out;
  }
}

/** The command document of an OP_MSG (its kind-0 section, right after the flag bits). */
function body(m: Message): Document | null {
  if (m.opCode !== OP_MSG || m.bytes.readUInt8(20) !== 0) return null;
  const size = m.bytes.readInt32LE(21);
  return BSON.deserialize(m.bytes.subarray(21, 21 + size));
}

/** An OP_MSG reply to `to` carrying `doc`. */
function replyTo(to: Message, doc: Document): Buffer {
  const payload = BSON.serialize(doc);
  const header = Buffer.alloc(21);
  header.writeInt32LE(21 + payload.length, 0);
  header.writeInt32LE((Math.random() * 2 ** 31) | 0, 4);
  header.writeInt32LE(to.requestId, 8);
  header.writeInt32LE(OP_MSG, 12);
  header.writeUInt32LE(0, 16); // flag bits
  header.writeUInt8(0, 20); // section kind 0
  return Buffer.concat([header, payload]);
}

export class Relay {
  private readonly sockets = new Set<net.Socket>();
  private readonly server: net.Server;
  private readonly armed: Armed[] = [];
  /** Every command the client sent, in order (monitoring and handshakes included). */
  readonly commands: CommandSeen[] = [];

  constructor(target: { host: string; port: number }) {
    this.server = net.createServer((client) => {
      const upstream = net.connect(target.port, target.host);
      for (const [a, b] of [
        [client, upstream],
        [upstream, client],
      ] as const) {
        this.sockets.add(a);
        a.on('error', () => b.destroy());
        a.on('close', () => {
          this.sockets.delete(a);
          b.destroy();
        });
      }
      this.relay(client, upstream);
    });
  }

  /**
   * Fail the next command `command` on collection `collection` with `fault`; resolves once it has
   * been applied (the promise may be left unawaited).
   */
  fail(command: string, collection: string, fault: Fault): Promise<void> {
    return new Promise((hit) => this.armed.push({ command, collection, fault, hit }));
  }

  /** The commands sent on `collection` since `from` (an index into `commands`). */
  sentOn(collection: string, from = 0): CommandSeen[] {
    return this.commands.slice(from).filter((c) => c.collection === collection);
  }

  /** The names of the commands sent on `collection` since `from`. */
  commandsOn(collection: string, from = 0): string[] {
    return this.sentOn(collection, from).map((c) => c.command);
  }

  private relay(client: net.Socket, upstream: net.Socket): void {
    /** Requests whose reply is to be handled here, by request id. */
    const onReply = new Map<number, (reply: Message) => void>();
    const fromClient = new Framer();
    const fromServer = new Framer();
    const toServer = (m: Message) => upstream.write(m.bytes);
    const breakBoth = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk: Buffer) => {
      for (const m of fromClient.push(chunk)) {
        const doc = body(m);
        const command = doc ? (Object.keys(doc)[0] ?? '') : '';
        const value = doc?.[command] as unknown;
        const collection = typeof value === 'string' ? value : '';
        this.commands.push({ command, collection, doc: doc ?? {} });
        const at = this.armed.findIndex((r) => r.command === command && r.collection === collection);
        const rule = at === -1 ? undefined : this.armed.splice(at, 1)[0];
        if (!rule) {
          toServer(m);
          continue;
        }
        const { fault } = rule;
        rule.hit();
        if (fault === 'drop-request') breakBoth();
        else if (fault === 'drop-reply') {
          onReply.set(m.requestId, breakBoth);
          toServer(m);
        } else if (fault === 'replay') {
          onReply.set(m.requestId, () => toServer(m));
          toServer(m);
        } else if ('reply' in fault) client.write(replyTo(m, fault.reply));
        else {
          onReply.set(m.requestId, (r) => client.write(replyTo(m, { ...body(r), ...fault.amend })));
          toServer(m);
        }
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      for (const m of fromServer.push(chunk)) {
        const handle = onReply.get(m.responseTo);
        onReply.delete(m.responseTo);
        if (handle) handle(m);
        else client.write(m.bytes);
      }
    });
  }

  /** Sockets open through the relay (two per connection: the client's and the upstream). */
  get openSockets(): number {
    return this.sockets.size;
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as net.AddressInfo).port;
  }

  /**
   * Stop listening, destroy every connection, and give the client's side a moment to see its
   * sockets closed: an operation started on a pooled connection before the driver has seen its
   * close can wait for a reply for ever (not the driver's socketTimeoutMS).
   */
  async cut(): Promise<void> {
    this.server.close();
    for (const s of this.sockets) s.destroy();
    while (this.sockets.size > 0) await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
