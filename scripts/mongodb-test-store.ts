/** The TESSERA_STORE URL that MongoDB-backed test runs use on the server at `mongoUrl`. */
export function mongoTestStoreUrl(mongoUrl: string): string {
  return `${mongoUrl.replace(/\/?(\?.*)?$/, '')}/tessera_test`;
}
