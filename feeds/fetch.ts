/**
 * Fetching a feed document over http(s) or from a file:// URL, with the feed's limits: a timeout
 * for each request (connection to last byte), the run's deadline, and a size cap. A body cut short
 * (connection dropped, size cap reached) is returned with what arrived and the reason, so a
 * line-based feed can keep its complete lines; callers decide what a partial body is worth.
 */
import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export class FeedError extends Error {}

export interface FetchOptions {
  headers?: Record<string, string>;
  timeoutMs: number;
  maxBytes: number;
  /** The run's deadline / cancellation. */
  signal?: AbortSignal;
}

export interface Fetched {
  status: number;
  headers: Headers;
  text: string;
  bytes: number;
  /** Why the body is incomplete (cut short, too large); undefined when it arrived whole. */
  cutShort?: string;
}

function reason(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = (e as { cause?: unknown }).cause;
  const code =
    cause && typeof cause === 'object' && 'code' in cause ? String((cause as { code: unknown }).code) : '';
  const msg = cause instanceof Error ? cause.message : e.message;
  return code && !msg.includes(code) ? `${code}: ${msg}` : msg;
}

/**
 * A file answers conditional reads like an HTTP server: its validators are an ETag made of its size
 * and modification time in nanoseconds, and a Last-Modified (whole seconds). The ETag wins when the
 * checkpoint has one, so a file rewritten within the same second is still read again.
 */
async function fetchFile(url: string, opts: FetchOptions): Promise<Fetched> {
  const path = fileURLToPath(url);
  let size: number;
  let etag: string;
  let lastModified: string;
  try {
    const st = await stat(path, { bigint: true });
    size = Number(st.size);
    etag = `"${st.size}-${st.mtimeNs}"`;
    lastModified = new Date(Number(st.mtimeMs)).toUTCString();
  } catch (e) {
    throw new FeedError(`cannot read ${path}: ${reason(e)}`);
  }
  const headers = new Headers({ etag, 'last-modified': lastModified });
  const match = opts.headers?.['If-None-Match'];
  const since = opts.headers?.['If-Modified-Since'];
  if (match !== undefined ? match === etag : since === lastModified)
    return { status: 304, headers, text: '', bytes: 0 };
  if (size > opts.maxBytes)
    throw new FeedError(`${path} is ${size} bytes, more than the feed's maxBytes (${opts.maxBytes})`);
  const text = await readFile(path, 'utf8').catch((e: unknown) => {
    throw new FeedError(`cannot read ${path}: ${reason(e)}`);
  });
  return { status: 200, headers, text, bytes: size };
}

/** GET a URL (http, https or file). Throws FeedError when nothing usable arrived. */
export async function fetchDocument(url: string, opts: FetchOptions): Promise<Fetched> {
  if (url.startsWith('file:')) return fetchFile(url, opts);
  const host = new URL(url).host;
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout;
  const why = (e: unknown): string =>
    timeout.aborted
      ? `no complete answer from ${host} within ${opts.timeoutMs} ms (timeoutMs)`
      : opts.signal?.aborted
        ? `the run was stopped: ${reason(opts.signal.reason)}`
        : reason(e);
  let res: Response;
  try {
    res = await fetch(url, { headers: opts.headers ?? {}, signal, redirect: 'follow' });
  } catch (e) {
    throw new FeedError(`cannot reach ${host}: ${why(e)}`);
  }
  if (res.status === 304) return { status: 304, headers: res.headers, text: '', bytes: 0 };
  if (!res.ok) {
    const body = (await res.text().catch(() => '')).slice(0, 200).replace(/\s+/g, ' ').trim();
    throw new FeedError(`${host} answered HTTP ${res.status}${body ? `: ${body}` : ''}`);
  }
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > opts.maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new FeedError(
      `${host} announces ${declared} bytes, more than the feed's maxBytes (${opts.maxBytes})`,
    );
  }
  const decoder = new TextDecoder('utf-8');
  const parts: string[] = [];
  let bytes = 0;
  let cutShort: string | undefined;
  const reader = res.body?.getReader();
  if (reader) {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (bytes + value.byteLength > opts.maxBytes) {
          parts.push(decoder.decode(value.subarray(0, opts.maxBytes - bytes), { stream: true }));
          bytes = opts.maxBytes;
          cutShort = `the response is larger than the feed's maxBytes (${opts.maxBytes}): reading stopped there`;
          await reader.cancel().catch(() => undefined);
          break;
        }
        bytes += value.byteLength;
        parts.push(decoder.decode(value, { stream: true }));
      }
    } catch (e) {
      cutShort = `the response from ${host} was cut short after ${bytes} bytes: ${why(e)}`;
    }
  }
  parts.push(decoder.decode());
  return {
    status: res.status,
    headers: res.headers,
    text: parts.join(''),
    bytes,
    ...(cutShort ? { cutShort } : {}),
  };
}
