/**
 * What most hostile-input tests need: a hub with one member, alice, who may read and write one
 * collection, and her requests to it.
 */
import { startHub, TAXII, type HubOptions, type TestHub } from '../helpers/hub';

export interface WriterHub {
  hub: TestHub;
  /** URL of the collection's objects endpoint (ends with a slash). */
  objects: string;
  /** alice's Authorization header value. */
  auth: string;
  /** GET as alice: a URL, or a path on the hub. */
  get(urlOrPath: string): Promise<Response>;
  /** POST to the objects endpoint as alice: text as it is, anything else as JSON. */
  post(body: unknown): Promise<Response>;
  /** Whether alice can GET the object. */
  stored(id: string): Promise<boolean>;
  close(): Promise<void>;
}

export async function writerHub(opts: HubOptions = {}): Promise<WriterHub> {
  const hub = await startHub(opts);
  await hub.addMember('alice', 'alice-secret-1', ['g']);
  const c = await hub.addCollection({ grants: [{ group: 'g', read: true, write: true }] });
  const objects = `${hub.url}/api1/collections/${c.id}/objects/`;
  const auth = hub.basic('alice', 'alice-secret-1');
  const get = (urlOrPath: string) =>
    fetch(urlOrPath.startsWith('/') ? `${hub.url}${urlOrPath}` : urlOrPath, {
      headers: { authorization: auth, accept: TAXII },
    });
  return {
    hub,
    objects,
    auth,
    get,
    post: (body) =>
      fetch(objects, {
        method: 'POST',
        headers: { authorization: auth, accept: TAXII, 'content-type': TAXII },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    stored: async (id) => (await get(`${objects}${id}/`)).status === 200,
    close: () => hub.close(),
  };
}
