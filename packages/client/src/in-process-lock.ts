import type { CrossTabLock } from './cross-tab-lock.js';

const realmChains = new Map<string, Promise<unknown>>();

/**
 * A lock within this realm only (Node, tests, a single page without Web
 * Locks or storage): tasks queue on a promise chain per name. Locks made
 * without `chains` share one table, so two clients of one process exclude
 * each other too.
 */
export function inProcessLock(chains: Map<string, Promise<unknown>> = realmChains): CrossTabLock {
  return {
    run<T>(name: string, task: () => Promise<T>): Promise<T> {
      const previous = chains.get(name) ?? Promise.resolve();
      const result = previous.then(task, task);
      const tail = result.then(
        () => undefined,
        () => undefined,
      );
      chains.set(name, tail);
      void tail.then(() => {
        if (chains.get(name) === tail) chains.delete(name);
      });
      return result;
    },
  };
}
