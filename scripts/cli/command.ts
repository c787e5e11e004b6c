/**
 * What every command handler of `tessera` shares: its context (the parsed command line, the
 * configuration, and the concern stores it uses) and small helpers for names, conflicts and output.
 */
import type { Config } from '../../server/config';
import { BadRequestError, ConflictError } from '../../server/errors';
import type { Stores } from '../../server/store/contract';
import { printJson, writeStdout } from './output';
import type { AuditNote } from '../../server/audit/records';

/** Filled in by a handler for its audit record (commands marked `audit` in ./args.ts). */
export type { AuditNote };

export interface CommandContext<S> {
  /** Positional values by name. */
  args: Record<string, string>;
  /** Option values by name (flags: 'true'). */
  options: Record<string, string>;
  json: boolean;
  /** The command's words, e.g. ['member', 'add']. */
  words: string[];
  /** "tessera <usage line>", for usage errors. */
  usage: string;
  config: Config;
  stores: S;
  /** What the audit record of this run says beyond the command itself; handlers fill it in. */
  audit: AuditNote;
  /** Whether this run created the store (only `tessera init` may, and reports it). */
  storeCreated: boolean;
}

/** A command handler given only the concerns `K` of the store; resolves to the exit code. */
export type Handler<K extends keyof Stores = keyof Stores> = (
  ctx: CommandContext<Pick<Stores, K>>,
) => Promise<number>;

/** The handlers of one file, by command name ("root add"); each file names the concerns it uses. */
export type Handlers<K extends keyof Stores = keyof Stores> = Record<string, Handler<K>>;

/**
 * Handlers whose module is loaded only when one of them runs, for commands with heavy imports
 * (so that every other command, help and usage errors stay fast).
 */
export function lazyHandlers<K extends keyof Stores>(
  names: string[],
  load: () => Promise<Handlers<K>>,
): Handlers<K> {
  const out: Handlers<K> = {};
  for (const name of names) {
    out[name] = async (ctx) => {
      const handler = (await load())[name];
      if (!handler) throw new Error(`command ${name} is not implemented`);
      return handler(ctx);
    };
  }
  return out;
}

export const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/;
export const ROOT_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** A name given on the command line that the hub would not accept (exit 1, like any refused operation). */
export function checkName(kind: string, value: string, re: RegExp = NAME_RE): void {
  if (!re.test(value)) {
    throw new BadRequestError(
      `invalid ${kind} name ${JSON.stringify(value)}: use letters, digits and ${re === ROOT_RE ? '"-_"' : '".-_@"'}, starting with a letter or digit`,
    );
  }
}

/** Runs a store write, turning a uniqueness conflict into a clear message. */
export async function unique<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof ConflictError) throw new ConflictError(`${what} already exists`);
    throw e;
  }
}

export async function out(json: boolean, value: unknown, text: string): Promise<void> {
  if (json) await printJson(value);
  else await writeStdout(`${text}\n`);
}
