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
  // Only exact types are ever accepted (see below), so the type is not checked further here.
  const type = String(parts.shift()).toLowerCase();
  const params = new Map<string, string>();
  for (const p of parts) {
    if (p === '') continue;
    const eq = p.indexOf('=');
    // A parameter needs a name and a value: a range with a malformed one is not understood.
    if (eq < 1) return null;
    const k = p.slice(0, eq).trim().toLowerCase();
    const v = p.slice(eq + 1).trim();
    params.set(k, v.replace(/^"(.*)"$/, '$1'));
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
    // q=0 (also written 0.0, 0.000, …) excludes the range.
    if (Number(r.params.get('q')) === 0) continue;
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
