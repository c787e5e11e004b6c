/** Shared state on MongoDB: collections meta (secrets) and state (compare-and-set records). */
import { randomBytes } from 'node:crypto';
import type { PutStateArgs, StateRecord, StateStore } from '../contract';
import { StoreError } from '../../errors';
import { guard, type MongoConnection } from './connection';
import { isDuplicateKey } from './errors';
import { META, STATE } from './indexes';

interface StateDoc {
  _id: string;
  k: string;
  v: number;
  value: string;
}

interface SecretDoc {
  _id: string;
  value: Buffer;
}

function stateId(key: string, version: number): string {
  return JSON.stringify([key, version]);
}

export class MongoStateStore implements StateStore {
  constructor(private readonly conn: MongoConnection) {}

  private get secrets() {
    return this.conn.collection<SecretDoc>(META);
  }

  private get state() {
    return this.conn.collection<StateDoc>(STATE);
  }

  async sharedSecret(name: string): Promise<Buffer> {
    return guard('shared secret', async () => {
      const _id = `secret:${name}`;
      try {
        await this.secrets.insertOne({ _id, value: randomBytes(32) });
      } catch (e) {
        if (!isDuplicateKey(e)) throw e;
      }
      // promoteBuffers: binary values are read as Buffers (not BSON Binary).
      const value: unknown = (await this.secrets.findOne({ _id }, { promoteBuffers: true }))?.value;
      if (!Buffer.isBuffer(value)) throw new StoreError(`shared secret ${name}: no binary value stored`);
      return value;
    });
  }

  // ---------------------------------------------------------------- shared state

  /*
   * Compare-and-set without read-modify-write updates (FerretDB 1.x does not isolate them): every
   * version of a key is its own document { _id: JSON [key, version], k, v, value }, and a put of
   * version n + 1 is the insert of that _id, which only one writer can win. The put also requires
   * version n to exist, and afterwards checks that no later version exists: older versions are
   * deleted, so a writer stalled long enough could re-insert a deleted version number; that check
   * makes such a put report false (getState always reads the highest version).
   */

  async getState(key: string): Promise<StateRecord | null> {
    return guard('get state', async () => {
      const d = await this.state.find({ k: key }).sort({ v: -1 }).limit(1).next();
      return d ? { key: d.k, value: d.value, version: d.v } : null;
    });
  }

  async putState(args: PutStateArgs): Promise<boolean> {
    return guard('put state', async () => {
      const n = args.expectedVersion;
      if (n > 0 && !(await this.state.findOne({ _id: stateId(args.key, n) }))) {
        return false;
      }
      try {
        await this.state.insertOne({
          _id: stateId(args.key, n + 1),
          k: args.key,
          v: n + 1,
          value: args.value,
        });
      } catch (e) {
        if (isDuplicateKey(e)) return false;
        throw e;
      }
      if (await this.state.findOne({ k: args.key, v: { $gt: n + 1 } })) return false;
      await this.state.deleteMany({ k: args.key, v: { $lt: n } });
      return true;
    });
  }
}
