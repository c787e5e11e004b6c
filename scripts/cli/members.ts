/** `tessera member …`: members, their secrets, certificates and life cycle (principals). */
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { looksLikeApiKey } from '../../server/access/apikeys';
import { formatFingerprint, parseFingerprint } from '../../server/access/certificates';
import { hashSecret } from '../../server/access/secrets';
import { BadRequestError, ConflictError, NotFoundError } from '../../server/errors';
import { UsageError } from './args';
import { checkName, out, type Handler, type Handlers } from './command';
import { presentMember } from './output';

const MIN_SECRET = 12;

async function readSecret(): Promise<string> {
  if (process.stdin.isTTY) {
    throw new BadRequestError(
      '--password-stdin reads the secret from standard input: pipe it, e.g. printf \'%s\' "$SECRET" | tessera …',
    );
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  let secret = Buffer.concat(chunks).toString('utf8');
  if (secret.endsWith('\r\n')) secret = secret.slice(0, -2);
  else if (secret.endsWith('\n')) secret = secret.slice(0, -1);
  if (secret.length === 0) throw new BadRequestError('the secret read from stdin is empty');
  if (looksLikeApiKey(secret)) {
    throw new BadRequestError(
      'the secret read from stdin has the form of an API key; choose another secret (keys are made with tessera key create)',
    );
  }
  if ([...secret].length < MIN_SECRET) {
    throw new BadRequestError(`the secret read from stdin is too short: at least ${MIN_SECRET} characters`);
  }
  return secret;
}

/** `member add` and `member passwd`: the secret is read from stdin, only its hash is stored. */
const setSecret: Handler<'principals'> = async ({ args, options, json, words, usage, stores }) => {
  const { principals } = stores;
  const name = args.member as string;
  if (options['password-stdin'] === undefined) {
    throw new UsageError('the secret must be given on stdin with --password-stdin', usage);
  }
  if (words[1] === 'add') {
    checkName('member', name);
    if (await principals.getMember(name)) throw new ConflictError(`member ${name} already exists`);
  } else if (!(await principals.getMember(name))) {
    throw new NotFoundError(`member ${name} does not exist`);
  }
  const secretHash = await hashSecret(await readSecret());
  if (words[1] === 'add') {
    // A removed member's name stays reserved: the store's refusal says so.
    await principals.createMember({ name, secretHash });
  } else {
    await principals.setMemberSecret({ name, secretHash });
  }
  const m = await principals.getMember(name);
  if (!m) throw new NotFoundError(`member ${name} does not exist`);
  await out(
    json,
    presentMember(m),
    words[1] === 'add'
      ? `created member ${name} (add it to a trust group: tessera group join <group> ${name})`
      : `secret of member ${name} replaced`,
  );
  return 0;
};

/** A fingerprint given as text, or the certificate of a PEM file (with its subject). */
function certificateArg(text: string): { fingerprint: string; subject: string | null } {
  const fp = parseFingerprint(text);
  if (fp) return { fingerprint: fp, subject: null };
  let pem: string;
  try {
    pem = readFileSync(text, 'utf8');
  } catch (e) {
    throw new BadRequestError(
      `${JSON.stringify(text)} is neither a SHA-256 fingerprint (64 hex digits, colons allowed) nor a readable file: ${(e as Error).message}`,
    );
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch {
    throw new BadRequestError(`${text} holds no PEM certificate`);
  }
  return {
    fingerprint: parseFingerprint(cert.fingerprint256) as string,
    subject: cert.subject.replace(/\n/g, ', '),
  };
}

/** `member disable` / `member enable`. */
const setDisabled: Handler<'principals'> = async ({ args, json, words, stores: { principals } }) => {
  const name = args.member as string;
  const disabled = words[1] === 'disable';
  await principals.setMemberDisabled({ name, disabled });
  const m = await principals.getMember(name);
  if (!m) throw new NotFoundError(`member ${name} does not exist`);
  await out(
    json,
    presentMember(m),
    disabled
      ? `disabled member ${name}: every credential of it is refused from the next request on`
      : `enabled member ${name}`,
  );
  return 0;
};

export const memberCommands: Handlers<'principals'> = {
  'member add': setSecret,
  'member passwd': setSecret,

  'member list': async ({ json, stores: { principals } }) => {
    const [members, keys, certs] = await Promise.all([
      principals.listMembers(),
      principals.listApiKeys({}),
      principals.listCertificates({}),
    ]);
    const now = Date.now() * 1000;
    const activeKeys = (name: string) =>
      keys.filter(
        (k) => k.member === name && k.revokedAt === null && (k.expiresAt === null || k.expiresAt > now),
      ).length;
    const certsOf = (name: string) =>
      certs.filter((c) => c.member === name).map((c) => formatFingerprint(c.fingerprint));
    await out(
      json,
      {
        members: members.map((m) => ({
          ...presentMember(m),
          active_keys: activeKeys(m.name),
          certificates: certsOf(m.name),
        })),
      },
      members.length === 0
        ? 'no members'
        : members
            .map((m) => {
              const extra = [
                m.disabled ? '(disabled)' : '',
                activeKeys(m.name) ? `${activeKeys(m.name)} key(s)` : '',
                certsOf(m.name).length ? `${certsOf(m.name).length} certificate(s)` : '',
              ].filter((x) => x !== '');
              return `${m.name}\t${m.groups.length ? m.groups.join(',') : '(no groups)'}${extra.length ? `\t${extra.join(', ')}` : ''}`;
            })
            .join('\n'),
    );
    return 0;
  },

  'member disable': setDisabled,
  'member enable': setDisabled,

  'member remove': async ({ args, json, stores: { principals }, audit }) => {
    const name = args.member as string;
    const m = await principals.getMember(name);
    if (!m) throw new NotFoundError(`member ${name} does not exist`);
    const keys = await principals.listApiKeys({ member: name });
    const certs = await principals.listCertificates({ member: name });
    await principals.removeMember(name);
    audit.detail = `groups ${m.groups.join(',') || '-'}; ${keys.length} key(s), ${certs.length} certificate(s) deleted`;
    await out(
      json,
      { removed: name, groups: m.groups, keys_deleted: keys.length, certificates_deleted: certs.length },
      `removed member ${name} (left ${m.groups.length} trust group(s); ${keys.length} API key(s) and ` +
        `${certs.length} certificate binding(s) deleted). What it published stays, attributed to ${name}; ` +
        'the name stays reserved.',
    );
    return 0;
  },

  'member cert': async ({ args, options, json, config, stores: { principals }, audit }) => {
    const name = args.member as string;
    const { fingerprint, subject } = certificateArg(args.certificate as string);
    const shown = formatFingerprint(fingerprint);
    audit.detail = `certificate ${shown}`;
    if (options.remove !== undefined) {
      const bound = await principals.getCertificate(fingerprint);
      if (!bound || bound.member !== name) {
        throw new NotFoundError(`certificate ${shown} is not bound to ${name}`);
      }
      await principals.unbindCertificate(fingerprint);
      await out(
        json,
        { member: name, fingerprint: shown, bound: false },
        `unbound certificate ${shown} from ${name}`,
      );
      return 0;
    }
    const existing = await principals.getCertificate(fingerprint);
    if (existing) {
      throw new ConflictError(`certificate ${shown} is bound to ${existing.member} already`);
    }
    const rec = await principals.bindCertificate({ fingerprint, member: name, subject });
    await out(
      json,
      { member: rec.member, fingerprint: shown, subject: rec.subject, bound: true },
      `bound certificate ${shown}${subject ? ` (${subject})` : ''} to ${name}` +
        (config.tls?.clientCaFile
          ? ''
          : '\nnote: client certificates are accepted only when TESSERA_TLS_CLIENT_CA is set'),
    );
    return 0;
  },
};
