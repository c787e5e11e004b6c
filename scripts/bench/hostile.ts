/**
 * Good-request latency while the hub is under attack (issue 8: "keep the good client's latency low
 * while an attacker tries").
 *
 * The shape, shared by every attack (add one by adding an `Attack` to the list in scripts/bench.ts):
 * a hub with a loaded collection; `goodClients` members page through it (GET objects, limit=100, with
 * credentials the hub has verified before, as a polling SIEM's are) for `phaseSeconds` alone
 * (baseline), then again while the attack runs (during). Each round measures the baseline and every
 * attack; the figures are the medians over `rounds` rounds of each phase's p50 and p99.
 */
import http from 'node:http';
import net from 'node:net';
import type { RunningServer } from './servers';
import { percentile } from './workload';

const TAXII = 'application/taxii+json;version=2.1';

export interface AttackTally {
  requests: number;
  /** Responses by HTTP status (or "error" for a failed connection). */
  statuses: Record<string, number>;
}

export interface Attack {
  name: string;
  /** Runs until `stop()` answers true; the hub must already be listening. */
  run(server: RunningServer, stop: () => boolean): Promise<AttackTally>;
}

export interface HostileOptions {
  goodClients: number;
  phaseSeconds: number;
  rounds: number;
}

export interface PhaseFigures {
  p50Ms: number;
  p99Ms: number;
  requests: number;
}

export interface HostileResult {
  attack: string;
  baseline: PhaseFigures;
  during: PhaseFigures;
  /** Attack requests per second (median over rounds) and the statuses they got (summed). */
  attackPerSecond: number;
  statuses: Record<string, number>;
  /** Good requests that did not get 200 during the attack (should be 0). */
  goodFailures: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length === 0
    ? NaN
    : s.length % 2
      ? (s[m] as number)
      : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** One raw request with its own headers; resolves with the status (0 on a connection error). */
export function rawRequest(
  agent: http.Agent,
  base: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Buffer,
): Promise<number> {
  const url = new URL(path, base);
  return new Promise((resolve) => {
    const req = http.request(
      { method, hostname: url.hostname, port: url.port, path: url.pathname + url.search, headers, agent },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(0));
      },
    );
    req.on('error', () => resolve(0));
    req.setTimeout(60_000, () => req.destroy());
    req.end(body);
  });
}

function tally(statuses: Record<string, number>, status: number): void {
  const k = status === 0 ? 'error' : String(status);
  statuses[k] = (statuses[k] ?? 0) + 1;
}

/** Good clients paging for `seconds`; latencies in ms and the count of non-200 answers. */
async function goodTraffic(
  server: RunningServer,
  clients: number,
  seconds: number,
): Promise<{ latencies: number[]; failures: number }> {
  const latencies: number[] = [];
  let failures = 0;
  const end = Date.now() + seconds * 1000;
  const path = `${server.client.objectsPath}?limit=100`;
  const worker = async () => {
    while (Date.now() < end) {
      const t0 = process.hrtime.bigint();
      const r = await server.client.request('GET', path);
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (r.status !== 200) failures++;
    }
  };
  await Promise.all(Array.from({ length: clients }, worker));
  latencies.sort((a, b) => a - b);
  return { latencies, failures };
}

export async function measureUnderAttack(
  server: RunningServer,
  attacks: Attack[],
  o: HostileOptions,
  progress: (msg: string) => void,
): Promise<HostileResult[]> {
  // The good member's credentials are verified once before measuring (a polling SIEM's are).
  await server.client.request('GET', server.client.objectsPath);
  const baseline: PhaseFigures[] = [];
  const during = new Map<
    string,
    { phases: PhaseFigures[]; rates: number[]; statuses: Record<string, number>; failures: number }
  >();
  for (const a of attacks) during.set(a.name, { phases: [], rates: [], statuses: {}, failures: 0 });
  for (let round = 1; round <= o.rounds; round++) {
    const b = await goodTraffic(server, o.goodClients, o.phaseSeconds);
    baseline.push({
      p50Ms: percentile(b.latencies, 0.5),
      p99Ms: percentile(b.latencies, 0.99),
      requests: b.latencies.length,
    });
    for (const a of attacks) {
      let stopped = false;
      const started = Date.now();
      const attack = a.run(server, () => stopped);
      const g = await goodTraffic(server, o.goodClients, o.phaseSeconds);
      stopped = true;
      const t = await attack;
      const seconds = (Date.now() - started) / 1000;
      const d = during.get(a.name);
      if (!d) continue;
      d.phases.push({
        p50Ms: percentile(g.latencies, 0.5),
        p99Ms: percentile(g.latencies, 0.99),
        requests: g.latencies.length,
      });
      d.rates.push(t.requests / seconds);
      for (const [k, v] of Object.entries(t.statuses)) d.statuses[k] = (d.statuses[k] ?? 0) + v;
      d.failures += g.failures;
      progress(
        `hostile round ${round}/${o.rounds}: ${a.name}: good p99 ${percentile(g.latencies, 0.99).toFixed(1)} ms (baseline ${percentile(b.latencies, 0.99).toFixed(1)} ms), ${t.requests} attack requests`,
      );
    }
  }
  const med = (ps: PhaseFigures[]): PhaseFigures => ({
    p50Ms: median(ps.map((p) => p.p50Ms)),
    p99Ms: median(ps.map((p) => p.p99Ms)),
    requests: median(ps.map((p) => p.requests)),
  });
  return attacks.map((a) => {
    const d = during.get(a.name) as {
      phases: PhaseFigures[];
      rates: number[];
      statuses: Record<string, number>;
      failures: number;
    };
    return {
      attack: a.name,
      baseline: med(baseline),
      during: med(d.phases),
      attackPerSecond: median(d.rates),
      statuses: d.statuses,
      goodFailures: d.failures,
    };
  });
}

/**
 * Wrong passwords from `attackers` concurrent clients. `distributed`: each request from another
 * source address (X-Forwarded-For; the hub trusts loopback) for another user name, so no per-address
 * or per-name limit ever applies and every attempt costs a password check — the worst case, bounded
 * only by the slow-hash gate. Otherwise all from one address for one existing member, which the
 * per-address limit stops after a burst.
 */
export function passwordFlood(opts: { attackers: number; distributed: boolean; user: string }): Attack {
  return {
    name: opts.distributed
      ? `wrong-password flood, ${opts.attackers} clients, every request a new address and name`
      : `wrong-password flood, ${opts.attackers} clients, one address, one member`,
    async run(server, stop) {
      const agent = new http.Agent({ keepAlive: true, maxSockets: opts.attackers });
      const statuses: Record<string, number> = {};
      let requests = 0;
      let n = 0;
      const path = server.client.objectsPath;
      const worker = async () => {
        while (!stop()) {
          const i = n++;
          const user = opts.distributed ? `nobody-${i}` : opts.user;
          const headers: Record<string, string> = {
            Accept: TAXII,
            Authorization: `Basic ${Buffer.from(`${user}:wrong-password-${i}`).toString('base64')}`,
          };
          if (opts.distributed)
            headers['X-Forwarded-For'] = `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;
          const status = await rawRequest(agent, server.target.url, 'GET', path, headers);
          requests++;
          tally(statuses, status);
        }
      };
      await Promise.all(Array.from({ length: opts.attackers }, worker));
      agent.destroy();
      return { requests, statuses };
    },
  };
}

/**
 * Oversized POSTs from `attackers` clients of a member with write access (issue 8 item 3):
 * `over-limit` streams a body of twice max_content_length without a Content-Length (chunked), which
 * the hub refuses (413) as soon as it passes the limit and then closes the connection; `junk` sends
 * an envelope just under max_content_length made of invalid entries ([1,1,1,…]), which the worker
 * pool parses and refuses (413: too many objects).
 */
export function oversizedPost(opts: {
  attackers: number;
  kind: 'over-limit' | 'junk';
  maxContentLength: number;
}): Attack {
  const junk = (() => {
    const n = Math.floor((opts.maxContentLength - 20) / 2);
    return Buffer.from(`{"objects":[${'1,'.repeat(n - 1)}1]}`);
  })();
  const chunk = Buffer.alloc(64 * 1024, 0x31);
  return {
    name:
      opts.kind === 'over-limit'
        ? `oversized POST, ${opts.attackers} clients streaming ${(2 * opts.maxContentLength) / 1048576} MiB bodies (chunked, no Content-Length)`
        : `oversized POST, ${opts.attackers} clients sending ${Math.round(junk.length / 1048576)} MiB envelopes of ${Math.floor(junk.length / 2).toLocaleString('en')} invalid entries`,
    async run(server, stop) {
      const agent = new http.Agent({ keepAlive: true, maxSockets: opts.attackers });
      const statuses: Record<string, number> = {};
      let requests = 0;
      const url = new URL(server.client.objectsPath, server.target.url);
      const headers = {
        Accept: TAXII,
        'Content-Type': TAXII,
        Authorization: server.target.authorization,
      };
      const streamOne = () =>
        new Promise<number>((resolve) => {
          const req = http.request(
            { method: 'POST', hostname: url.hostname, port: url.port, path: url.pathname, headers, agent },
            (res) => {
              res.resume();
              res.on('end', () => resolve(res.statusCode ?? 0));
              res.on('error', () => resolve(res.statusCode ?? 0));
            },
          );
          req.on('error', () => resolve(0));
          let sent = 0;
          const pump = () => {
            while (sent < 2 * opts.maxContentLength && !req.destroyed) {
              sent += chunk.length;
              if (!req.write(chunk)) {
                req.once('drain', pump);
                return;
              }
            }
            req.end();
          };
          pump();
        });
      const worker = async () => {
        while (!stop()) {
          const status =
            opts.kind === 'over-limit'
              ? await streamOne()
              : await rawRequest(agent, server.target.url, 'POST', server.client.objectsPath, headers, junk);
          requests++;
          tally(statuses, status);
        }
      };
      await Promise.all(Array.from({ length: opts.attackers }, worker));
      agent.destroy();
      return { requests, statuses };
    },
  };
}

/**
 * Issue 8 item 6: a wrong password for an existing member and for an unknown name should cost the
 * same. Sequential attempts, each from its own address (so no limit applies); median ms of each.
 */
export async function enumerationTiming(
  server: RunningServer,
  existing: string,
  attempts: number,
): Promise<{ existingMs: number; unknownMs: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const path = server.client.objectsPath;
  const time = async (user: string, i: number) => {
    const t0 = process.hrtime.bigint();
    await rawRequest(agent, server.target.url, 'GET', path, {
      Accept: TAXII,
      Authorization: `Basic ${Buffer.from(`${user}:wrong-${i}`).toString('base64')}`,
      'X-Forwarded-For': `172.16.${(i >>> 8) & 255}.${i & 255}`,
    });
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  const known: number[] = [];
  const unknown: number[] = [];
  for (let i = 0; i < attempts; i++) {
    // interleaved, so drift in machine load hits both alike
    known.push(await time(existing, 2 * i));
    unknown.push(await time(`unknown-${i}`, 2 * i + 1));
  }
  agent.destroy();
  return { existingMs: median(known), unknownMs: median(unknown) };
}

/**
 * Slow clients (issue 8 item 7): `connections` sockets held open against the hub, half trickling
 * their request headers one byte every 500 ms (slowloris), half asking for a 1,000-object page and
 * never reading the answer (stalled readers). A socket the hub cuts off (headers or send timeout)
 * is replaced at once, so the hub holds `connections` slow clients for the whole phase.
 */
export function slowClients(opts: { connections: number }): Attack {
  return {
    name: `slow clients, ${opts.connections} connections (half trickling headers, half never reading a 1,000-object page)`,
    async run(server, stop) {
      const url = new URL(server.target.url);
      const port = Number(url.port);
      const statuses: Record<string, number> = {};
      let requests = 0;
      const pagePath = `${server.client.objectsPath}?limit=1000`;
      const one = (kind: 'headers' | 'reader') =>
        new Promise<void>((resolve) => {
          const socket = net.connect({ host: url.hostname, port });
          let timer: NodeJS.Timeout | undefined;
          const finish = () => {
            if (timer) clearInterval(timer);
            socket.destroy();
            resolve();
          };
          const stopper = setInterval(() => {
            if (stop()) {
              clearInterval(stopper);
              finish();
            }
          }, 100);
          socket.once('close', () => {
            clearInterval(stopper);
            finish();
          });
          socket.on('error', () => tally(statuses, 0));
          socket.once('connect', () => {
            requests++;
            if (kind === 'reader') {
              // The answer fills the socket buffers and the rest waits in the hub until it times out.
              socket.write(
                `GET ${pagePath} HTTP/1.1\r\nHost: ${url.host}\r\nAccept: ${TAXII}\r\n` +
                  `Authorization: ${server.target.authorization}\r\n\r\n`,
              );
              return;
            }
            const head = Buffer.from(
              `GET ${pagePath} HTTP/1.1\r\nHost: ${url.host}\r\nAccept: ${TAXII}\r\nX-Padding: ${'a'.repeat(4096)}`,
            );
            let i = 0;
            timer = setInterval(() => {
              if (i < head.length) socket.write(head.subarray(i, ++i));
            }, 500);
          });
          // A reader never reads (a 'data' listener would start the flow); a trickler reads its refusal.
          if (kind === 'headers')
            socket.once('data', (d: Buffer) => {
              const m = /^HTTP\/1\.1 (\d{3})/.exec(d.toString('latin1', 0, 16));
              tally(statuses, m ? Number(m[1]) : 0);
            });
        });
      const worker = async (kind: 'headers' | 'reader') => {
        while (!stop()) await one(kind);
      };
      await Promise.all(
        Array.from({ length: opts.connections }, (_, i) => worker(i % 2 === 0 ? 'headers' : 'reader')),
      );
      return { requests, statuses };
    },
  };
}
