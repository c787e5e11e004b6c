/** `tessera key …`: API keys of members (principals). The key is shown once; only a hash is stored. */
import { generateApiKey, KEY_ID_RE, parseApiKey } from '../../server/access/apikeys';
import { BadRequestError, NotFoundError } from '../../server/errors';
import type { ApiKeyRecord } from '../../server/store/contract';
import { formatTaxiiTimestamp, nowMicros, parseOperatorInstant } from '../../server/time';
import { out, type Handlers } from './command';
import { writeStdout } from './output';

type KeyState = 'active' | 'expired' | 'revoked';

function stateOf(k: ApiKeyRecord, now: number): KeyState {
  if (k.revokedAt !== null) return 'revoked';
  if (k.expiresAt !== null && k.expiresAt <= now) return 'expired';
  return 'active';
}

function presentKey(k: ApiKeyRecord, now: number): Record<string, unknown> {
  return {
    id: k.id,
    member: k.member,
    name: k.name,
    created: formatTaxiiTimestamp(k.createdAt),
    expires: k.expiresAt === null ? null : formatTaxiiTimestamp(k.expiresAt),
    revoked: k.revokedAt === null ? null : formatTaxiiTimestamp(k.revokedAt),
    state: stateOf(k, now),
  };
}

/** A key id, or the whole key pasted by mistake (its id is taken; the secret part is not kept). */
function keyIdOf(text: string): string {
  const parsed = parseApiKey(text);
  if (parsed) return parsed.id;
  if (!KEY_ID_RE.test(text)) {
    throw new BadRequestError(
      `${JSON.stringify(text)} is not an API key id (16 hex digits, see tessera key list)`,
    );
  }
  return text;
}

export const keyCommands: Handlers<'principals'> = {
  'key create': async ({ args, options, json, stores: { principals }, audit }) => {
    const member = args.member as string;
    const m = await principals.getMember(member);
    if (!m) throw new NotFoundError(`member ${member} does not exist`);
    let expiresAt: number | null = null;
    if (options.expires !== undefined) {
      expiresAt = parseOperatorInstant(options.expires, 'ahead');
      if (expiresAt === null) {
        throw new BadRequestError(
          `--expires: ${JSON.stringify(options.expires)} is not a date (2026-12-31), an RFC 3339 timestamp or a span (90d)`,
        );
      }
      if (expiresAt <= nowMicros()) throw new BadRequestError('--expires: the instant is in the past');
    }
    const name = options.name?.trim() || null;
    if (name !== null && name.length > 200) throw new BadRequestError('--name: at most 200 characters');
    const { key, id, hash } = generateApiKey();
    const rec = await principals.createApiKey({ id, member, name, hash, expiresAt });
    audit.detail = `key ${id}${name ? ` (${name})` : ''}`;
    if (json) {
      await out(true, { ...presentKey(rec, nowMicros()), key }, '');
    } else {
      await writeStdout(
        `${key}\n` +
          `API key ${id} for ${member}${name ? ` (${name})` : ''}${expiresAt ? `, expires ${formatTaxiiTimestamp(expiresAt)}` : ''}.\n` +
          'Store it now: it is shown only this once (the hub keeps a hash). Use it as the Basic password\n' +
          `(user ${member}), or as "Authorization: Bearer <key>" or "Authorization: Token <key>".\n`,
      );
      if (m.disabled)
        process.stderr.write(`tessera: note: member ${member} is disabled; the key works once enabled\n`);
    }
    return 0;
  },

  'key list': async ({ args, json, stores: { principals } }) => {
    const member = args.member;
    if (member !== undefined && !(await principals.getMember(member))) {
      throw new NotFoundError(`member ${member} does not exist`);
    }
    const keys = await principals.listApiKeys(member === undefined ? {} : { member });
    const now = nowMicros();
    await out(
      json,
      { keys: keys.map((k) => presentKey(k, now)) },
      keys.length === 0
        ? 'no API keys'
        : keys
            .map((k) =>
              [
                k.id,
                k.member,
                k.name ?? '-',
                `created ${formatTaxiiTimestamp(k.createdAt)}`,
                k.expiresAt === null ? 'no expiry' : `expires ${formatTaxiiTimestamp(k.expiresAt)}`,
                stateOf(k, now),
              ].join('\t'),
            )
            .join('\n'),
    );
    return 0;
  },

  'key revoke': async ({ args, json, stores: { principals }, audit }) => {
    const id = keyIdOf(args.key as string);
    const before = await principals.getApiKey(id);
    if (!before) throw new NotFoundError(`API key ${id} does not exist`);
    const rec = await principals.revokeApiKey({ id, at: nowMicros() });
    audit.detail = `key ${id} of ${rec.member}`;
    await out(
      json,
      presentKey(rec, nowMicros()),
      before.revokedAt !== null
        ? `API key ${id} of ${rec.member} was already revoked (${formatTaxiiTimestamp(before.revokedAt)})`
        : `revoked API key ${id} of ${rec.member}: refused from the next request on`,
    );
    return 0;
  },
};
