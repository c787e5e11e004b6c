/**
 * What a request's `Authorization` header says, parsed strictly and in one place.
 *
 * Accepted forms (scheme names are case-insensitive, RFC 9110 §11.1):
 *   Basic <base64 of "name:password">   the password is a member secret or an API key
 *   Bearer <api key>                    Elastic's TAXII integration (RFC 6750 syntax)
 *   Token <api key>                     taxii2-client's token authentication
 *
 * Basic credentials must be canonical padded base64 (what every client sends): junk after the
 * padding (`…==x`), missing padding, whitespace inside or non-zero trailing bits are refused rather
 * than silently decoded, since Node's decoder stops at the first character it does not like. The
 * decoded text must be valid UTF-8 (RFC 7617 charset) without control characters, and the user name
 * must be non-empty (only the first colon separates it from the password).
 */

export type KeyScheme = 'bearer' | 'token';
export type Scheme = 'basic' | KeyScheme;

export type Credentials =
  /** No Authorization header at all. */
  | { kind: 'none' }
  /** A scheme this hub does not accept (Digest, Negotiate, …). */
  | { kind: 'unsupported'; scheme: string }
  /** A supported scheme whose parameters do not parse. */
  | { kind: 'malformed'; scheme: Scheme; reason: string }
  | { kind: 'basic'; user: string; password: string }
  | { kind: 'key'; scheme: KeyScheme; token: string };

/** RFC 9110 token68 (the single credentials parameter of Basic, Bearer and Token). */
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;
const SCHEME = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+)(?:[ ]+(.*))?$/s;
/** C0 controls and DEL: never part of a user name or password a client types. */
function hasControl(text: string): boolean {
  for (const ch of text) if (ch < ' ' || ch === '\x7f') return true;
  return false;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Canonical padded base64 only: the decoded bytes re-encode to exactly the input (which rules out
 * missing padding, junk after it, the base64url alphabet and non-zero trailing bits at once).
 */
function decodeCanonicalBase64(text: string): Buffer | null {
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : null;
}

function parseBasic(param: string): Credentials {
  const bytes = decodeCanonicalBase64(param);
  if (!bytes) return { kind: 'malformed', scheme: 'basic', reason: 'the credentials are not valid base64' };
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { kind: 'malformed', scheme: 'basic', reason: 'the credentials are not valid UTF-8' };
  }
  const colon = text.indexOf(':');
  if (colon < 0) return { kind: 'malformed', scheme: 'basic', reason: 'the credentials hold no ":"' };
  if (colon === 0) return { kind: 'malformed', scheme: 'basic', reason: 'the user name is empty' };
  if (hasControl(text)) {
    return { kind: 'malformed', scheme: 'basic', reason: 'the credentials contain control characters' };
  }
  return { kind: 'basic', user: text.slice(0, colon), password: text.slice(colon + 1) };
}

export function parseAuthorization(header: string | undefined): Credentials {
  if (header === undefined) return { kind: 'none' };
  // Optional whitespace around the field value is not part of it (RFC 9110 §5.5).
  const m = SCHEME.exec(header.replace(/^[ \t]+|[ \t]+$/g, ''));
  if (!m) return { kind: 'unsupported', scheme: '' };
  const scheme = (m[1] as string).toLowerCase();
  const param = m[2];
  if (scheme !== 'basic' && scheme !== 'bearer' && scheme !== 'token') {
    return { kind: 'unsupported', scheme: m[1] as string };
  }
  if (param === undefined || !TOKEN68.test(param)) {
    return { kind: 'malformed', scheme, reason: `the ${m[1]} credentials are missing or not one token` };
  }
  if (scheme === 'basic') return parseBasic(param);
  return { kind: 'key', scheme, token: param };
}
