/**
 * TAXII 2.1 media types and content negotiation (§1.6.8, §3.1).
 *
 * Accept: a request is served when one of its media ranges is `application/taxii+json` with no
 * version or `version=2.1` (whitespace around parameters tolerated, q=0 excludes). `*\/*`,
 * `application/*` and a missing Accept header are served too (TAXII only allows, never requires,
 * a 406 there, and curl and several SIEM connectors send them). Any other Accept (another TAXII
 * version, plain JSON, STIX alone) gets 406.
 * Content-Type of POST: `application/taxii+json` with no version or `version=2.1`, else 415.
 */
export const TAXII_MEDIA_TYPE = 'application/taxii+json;version=2.1';
export const STIX_MEDIA_TYPE = 'application/stix+json;version=2.1';

interface MediaRange {
  type: string;
  params: Map<string, string>;
}

function parseMediaRange(s: string): MediaRange | null {
  const parts = s.split(';').map((p) => p.trim());
  const type = (parts.shift() ?? '').toLowerCase();
  if (!/^[a-z0-9!#$&^_.+*-]+\/[a-z0-9!#$&^_.+*-]+$/.test(type)) return null;
  const params = new Map<string, string>();
  for (const p of parts) {
    if (p === '') continue;
    const eq = p.indexOf('=');
    if (eq < 0) return null;
    const k = p.slice(0, eq).trim().toLowerCase();
    let v = p.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1);
    params.set(k, v);
  }
  return { type, params };
}

function isTaxii21(r: MediaRange): boolean {
  if (r.type !== 'application/taxii+json') return false;
  const v = r.params.get('version');
  return v === undefined || v === '2.1';
}

/** Whether a response in TAXII 2.1 is acceptable for this Accept header. */
export function acceptsTaxii(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  for (const item of accept.split(',')) {
    const r = parseMediaRange(item);
    if (!r) continue;
    if (r.params.get('q') !== undefined && Number(r.params.get('q')) === 0) continue;
    if (isTaxii21(r) || r.type === '*/*' || r.type === 'application/*') return true;
  }
  return false;
}

/** Whether a request body with this Content-Type is a TAXII 2.1 resource. */
export function isTaxiiContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const r = parseMediaRange(contentType);
  return r !== null && isTaxii21(r);
}
