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
