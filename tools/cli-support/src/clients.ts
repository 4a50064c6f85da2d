/**
 * One client per region, created on first use. Client factories build every SDK client for an
 * explicit region (the default credential chain, never the default region) through this.
 */
export function perRegion<T>(create: (region: string) => T): (region: string) => T {
  const clients = new Map<string, T>();
  return (region) => {
    let client = clients.get(region);
    if (client === undefined) {
      client = create(region);
      clients.set(region, client);
    }
    return client;
  };
}
