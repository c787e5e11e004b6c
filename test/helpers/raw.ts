/**
 * Raw HTTP/1.1 over a TCP socket, for tests that must send what no HTTP client library sends
 * (malformed request lines, stalled headers or bodies) and observe exactly what the hub answers and
 * when it closes the connection.
 */
import net from 'node:net';

export interface RawReply {
  /** Status code of the first response, or null when none arrived. */
  status: number | null;
  /** Headers of the first response, names lower-cased. */
  headers: Record<string, string>;
  /** Body of the first response (as much as arrived). */
  body: string;
  /** Everything received. */
  raw: string;
  /** Whether the hub closed the connection before `waitMs` passed. */
  closed: boolean;
  /** Milliseconds from connect to close (or to giving up). */
  ms: number;
}

/** Splits the first response out of the bytes received. */
export function parseRawResponse(raw: string): Pick<RawReply, 'status' | 'headers' | 'body'> {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return { status: null, headers: {}, body: '' };
  const [line = '', ...lines] = raw.slice(0, end).split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(line);
  const headers: Record<string, string> = {};
  for (const l of lines) {
    const c = l.indexOf(':');
    if (c > 0) headers[l.slice(0, c).trim().toLowerCase()] = l.slice(c + 1).trim();
  }
  let body = raw.slice(end + 4);
  const len = headers['content-length'];
  if (len !== undefined && /^\d+$/.test(len))
    body = Buffer.from(body, 'latin1').subarray(0, Number(len)).toString('utf8');
  return { status: m ? Number(m[1]) : null, headers, body };
}

/** Whether `data` holds a whole response (headers and a body of its Content-Length). */
function complete(data: Buffer): boolean {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return false;
  const m = /\r\ncontent-length:\s*(\d+)/i.exec(data.subarray(0, end).toString('latin1'));
  return m !== null && data.length >= end + 4 + Number(m[1]);
}

/**
 * Connects to the hub at `url`, lets `script` write to the socket (it may keep writing over time),
 * and resolves when the hub closes the connection or after `waitMs`, whichever comes first (with
 * `untilResponse`, also as soon as one whole response with a Content-Length has arrived).
 */
export function rawExchange(
  url: string,
  script: (socket: net.Socket) => void,
  waitMs: number,
  opts: { untilResponse?: boolean } = {},
): Promise<RawReply> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const started = Date.now();
    const socket = net.connect(Number(port), hostname);
    let settled = false;
    const settle = (closed: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const raw = Buffer.concat(chunks).toString('latin1');
      resolve({ ...parseRawResponse(raw), raw, closed, ms: Date.now() - started });
    };
    const timer = setTimeout(() => settle(false), waitMs);
    socket.on('data', (d) => {
      chunks.push(d);
      if (opts.untilResponse && complete(Buffer.concat(chunks))) settle(false);
    });
    socket.on('close', () => settle(true));
    socket.on('error', () => settle(true));
    socket.on('connect', () => script(socket));
  });
}
