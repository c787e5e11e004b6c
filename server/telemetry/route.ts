/**
 * The TAXII 2.1 endpoint a request path addresses, as the specification's URL template: a bounded
 * label for metrics (never the raw path, whose ids would make a series per object). Decided from
 * the path alone, so requests refused before routing (401, 406, 429) are labelled too.
 */
const COLLECTION = '/{api-root}/collections/{id}';

export function routeTemplate(path: string): string {
  const s = path.split('/').filter((x) => x !== '');
  const [a, b, , d, , f] = s;
  switch (s.length) {
    case 0:
      return '/';
    case 1:
      if (a === 'taxii2') return '/taxii2/';
      if (a === 'healthz' || a === 'readyz' || a === 'metrics') return `/${a}`;
      return '/{api-root}/';
    case 2:
      return b === 'collections' ? '/{api-root}/collections/' : 'other';
    case 3:
      if (b === 'status') return '/{api-root}/status/{status-id}/';
      return b === 'collections' ? `${COLLECTION}/` : 'other';
    case 4:
      if (b !== 'collections') return 'other';
      if (d === 'objects') return `${COLLECTION}/objects/`;
      if (d === 'manifest') return `${COLLECTION}/manifest/`;
      return 'other';
    case 5:
      return b === 'collections' && d === 'objects' ? `${COLLECTION}/objects/{object-id}/` : 'other';
    case 6:
      return b === 'collections' && d === 'objects' && f === 'versions'
        ? `${COLLECTION}/objects/{object-id}/versions/`
        : 'other';
    default:
      return 'other';
  }
}
