/** `tessera member …`: members and their secrets (principals). */
import { hashSecret } from '../../server/access/secrets';
import { BadRequestError, ConflictError, NotFoundError } from '../../server/errors';
import { UsageError } from './args';
import { checkName, out, unique, type Handler, type Handlers } from './command';
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
    await unique(`member ${name}`, () => principals.createMember({ name, secretHash }));
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

export const memberCommands: Handlers<'principals'> = {
  'member add': setSecret,
  'member passwd': setSecret,

  'member list': async ({ json, stores: { principals } }) => {
    const members = await principals.listMembers();
    await out(
      json,
      { members: members.map(presentMember) },
      members.length === 0
        ? 'no members'
        : members
            .map(
              (m) =>
                `${m.name}\t${m.groups.length ? m.groups.join(',') : '(no groups)'}${m.disabled ? '\t(disabled)' : ''}`,
            )
            .join('\n'),
    );
    return 0;
  },
};
