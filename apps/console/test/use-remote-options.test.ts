import { describe, expect, it } from 'vitest';
import { useRemoteOptions } from '../src/lib/use-remote-options.js';

/** A search whose answers the test releases one by one, in any order. */
function controlledSearch() {
  const pending = new Map<string, (found: string[]) => void>();
  const fetch = (query: string) => new Promise<string[]>((resolve) => pending.set(query, resolve));
  return { fetch, answer: (query: string, found: string[]) => pending.get(query)!(found) };
}

describe('useRemoteOptions (the console’s searching selects)', () => {
  it('shows the latest search’s answer even when an earlier, slower one arrives after it', async () => {
    const server = controlledSearch();
    const { options, loading, search } = useRemoteOptions(server.fetch);
    const first = search('');
    const latest = search('Acme');
    server.answer('Acme', ['Acme']);
    await latest;
    expect(options.value).toEqual(['Acme']);
    expect(loading.value).toBe(false);
    server.answer('', ['Default', 'Acme', 'Globex']);
    await first;
    expect(options.value).toEqual(['Acme']);
  });

  it('a failed search offers nothing', async () => {
    const { options, search } = useRemoteOptions(() => Promise.reject(new Error('503')));
    await search('x');
    expect(options.value).toEqual([]);
  });
});
