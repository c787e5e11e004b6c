/**
 * TAXII media types on their own: which Accept headers get a TAXII 2.1 answer and which request
 * Content-Types are TAXII 2.1 resources (the HTTP suites check the 406/415 that follow).
 */
import assert from 'node:assert/strict';
import {
  acceptsTaxii,
  isTaxiiContentType,
  STIX_MEDIA_TYPE,
  TAXII_MEDIA_TYPE,
} from '../../server/taxii/media';

function accepted(accept: string | undefined): void {
  assert.equal(acceptsTaxii(accept), true, `Accept: ${String(accept)} should be served`);
}
function refused(accept: string): void {
  assert.equal(acceptsTaxii(accept), false, `Accept: ${accept} should get 406`);
}

describe('TAXII media types', () => {
  it('names the TAXII 2.1 and STIX 2.1 media types exactly', () => {
    assert.equal(TAXII_MEDIA_TYPE, 'application/taxii+json;version=2.1');
    assert.equal(STIX_MEDIA_TYPE, 'application/stix+json;version=2.1');
  });

  it('serves a missing, empty or blank Accept header', () => {
    accepted(undefined);
    accepted('');
    accepted('   ');
  });

  it('serves TAXII with no version or version 2.1, in any case, with whitespace around parameters', () => {
    accepted('application/taxii+json');
    accepted('application/taxii+json;version=2.1');
    accepted('Application/TAXII+JSON;Version=2.1');
    accepted('  application/taxii+json ; version = 2.1 ');
    accepted('application/taxii+json;version="2.1"');
    accepted('application/taxii+json;version=2.1;');
    accepted('application/taxii+json;;version=2.1');
  });

  it('serves */* and application/*, but no other wildcard', () => {
    accepted('*/*');
    accepted('application/*');
    refused('text/*');
    refused('*/json');
    refused('application/*+json');
  });

  it('refuses another TAXII version, a malformed version, JSON or STIX alone', () => {
    refused('application/taxii+json;version=2.0');
    refused('application/taxii+json;version=2.1.0');
    refused('application/taxii+json;version="2.0"');
    refused('application/taxii+json;version="2.1');
    refused('application/taxii+json;version=2.1"');
    refused('application/taxii+json;version=x"2.1"');
    refused('application/taxii+json;version="2.1"x');
    // Only a value quoted at both ends is unquoted.
    refused('application/taxii+json;version=2".1"');
    refused('application/taxii+json;version="2."1');
    refused('application/taxii+json;version=');
    refused('application/taxii+json;version=""');
    refused('application/taxii+json;version="');
    refused('application/taxii+jsonx');
    refused('xapplication/taxii+json');
    refused('application/json');
    refused(STIX_MEDIA_TYPE);
  });

  it('reads each parameter by its own name and value, trimmed', () => {
    // Without trimming, "version " / " 2.0" would not be read as the version 2.0.
    refused('application/taxii+json;version =2.0');
    refused('application/taxii+json;version= 2.0');
    refused('application/taxii+json;VERSION=2.0');
    // Another parameter does not count as the version.
    accepted('application/taxii+json;charset=utf-8');
    refused('application/taxii+json;charset=utf-8;version=2.0');
  });

  it('refuses a range whose parameter has no value or no name', () => {
    refused('application/taxii+json;version');
    refused('application/taxii+json;2.1');
    refused('application/taxii+json;=2.1');
    refused('*/*;q');
  });

  it('skips ranges with q=0 and looks at the others', () => {
    refused(`${TAXII_MEDIA_TYPE};q=0`);
    refused(`${TAXII_MEDIA_TYPE};q=0.000`);
    refused(`${TAXII_MEDIA_TYPE};Q=0`);
    refused('*/*;q=0');
    refused('application/*;q=0, application/json');
    accepted(`${TAXII_MEDIA_TYPE};q=0.5`);
    accepted(`${TAXII_MEDIA_TYPE};q=1`);
    accepted(`${TAXII_MEDIA_TYPE};q=0.001`);
    accepted(`${TAXII_MEDIA_TYPE};q=0, */*`);
    accepted(`application/json;q=0, ${TAXII_MEDIA_TYPE}`);
  });

  it('reads every comma-separated range, skipping malformed ones', () => {
    accepted(`application/json, ${TAXII_MEDIA_TYPE}`);
    accepted(`application/json;version, ${TAXII_MEDIA_TYPE}`);
    accepted(`nonsense, , ${TAXII_MEDIA_TYPE}`);
    refused('application/json, text/html');
    refused('nonsense');
    refused(',');
  });

  it('takes a POST body as TAXII 2.1 only with that media type, version 2.1 or none', () => {
    assert.equal(isTaxiiContentType(undefined), false);
    assert.equal(isTaxiiContentType(''), false);
    assert.equal(isTaxiiContentType(TAXII_MEDIA_TYPE), true);
    assert.equal(isTaxiiContentType('application/taxii+json'), true);
    assert.equal(isTaxiiContentType('application/taxii+json; version=2.1; charset=utf-8'), true);
    assert.equal(isTaxiiContentType('APPLICATION/TAXII+JSON;VERSION=2.1'), true);
    assert.equal(isTaxiiContentType('application/taxii+json;version=2.1;'), true);
    assert.equal(isTaxiiContentType('application/taxii+json;version=2.0'), false);
    assert.equal(isTaxiiContentType('application/taxii+json;version'), false);
    assert.equal(isTaxiiContentType('application/json'), false);
    assert.equal(isTaxiiContentType(STIX_MEDIA_TYPE), false);
    assert.equal(isTaxiiContentType('*/*'), false);
    assert.equal(isTaxiiContentType('application/*'), false);
    assert.equal(isTaxiiContentType(`${TAXII_MEDIA_TYPE}, application/json`), false);
  });
});
