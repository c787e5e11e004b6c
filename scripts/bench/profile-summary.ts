/**
 * Summarise V8 CPU profiles (`node --cpu-prof`, as written by `npm run bench -- --profile DIR`):
 * self time by function and by file, and total (inclusive) time of the hub's own functions.
 *
 *   node dist/scripts/bench/profile-summary.js DIR_OR_FILE... [--top 25]
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function files(args: string[]): string[] {
  const out: string[] = [];
  for (const a of args) {
    if (statSync(a).isDirectory()) {
      for (const f of readdirSync(a)) if (f.endsWith('.cpuprofile')) out.push(path.join(a, f));
    } else out.push(a);
  }
  return out;
}

function shortUrl(url: string): string {
  const i = url.indexOf('/dist/');
  if (i >= 0) return url.slice(i + 6);
  const n = url.lastIndexOf('node_modules/');
  if (n >= 0) return url.slice(n);
  return url.replace(/^file:\/\//, '') || '(native)';
}

export function summarise(profiles: Profile[], top: number): string {
  const self = new Map<string, number>();
  const byFile = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  for (const p of profiles) {
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const selfUs = new Map<number, number>();
    p.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
    for (const [id, us] of selfUs) {
      const n = byId.get(id);
      if (!n) continue;
      const cf = n.callFrame;
      const key = `${cf.functionName || '(anonymous)'}  ${shortUrl(cf.url)}:${cf.lineNumber + 1}`;
      self.set(key, (self.get(key) ?? 0) + us);
      const file = shortUrl(cf.url);
      byFile.set(file, (byFile.get(file) ?? 0) + us);
      total += us;
      // inclusive time of our own functions (each counted once per sample stack)
      const seen = new Set<string>();
      for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
        const c = byId.get(cur)?.callFrame;
        if (!c || !c.url.includes('/dist/')) continue;
        const k = `${c.functionName || '(anonymous)'}  ${shortUrl(c.url)}:${c.lineNumber + 1}`;
        if (seen.has(k)) continue;
        seen.add(k);
        inclusive.set(k, (inclusive.get(k) ?? 0) + us);
      }
    }
  }
  const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
  const list = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => `  ${pct(us)}  ${(us / 1e6).toFixed(2).padStart(7)} s  ${k}`)
      .join('\n');
  return [
    `total sampled ${(total / 1e6).toFixed(2)} s`,
    'self time by function:',
    list(self),
    'self time by file:',
    list(byFile),
    'inclusive time of hub functions (dist/):',
    list(inclusive),
  ].join('\n');
}

if (require.main === module) {
  const args = process.argv.slice(2);
  let top = 25;
  const t = args.indexOf('--top');
  if (t >= 0) {
    top = Number(args[t + 1]);
    args.splice(t, 2);
  }
  const profiles = files(args).map((f) => JSON.parse(readFileSync(f, 'utf8')) as Profile);
  console.log(summarise(profiles, top));
}
