import { randomBytes } from 'node:crypto';
import { MemoryEphemeralStore } from '../../src/cache/memory-ephemeral-store.js';
import { createServices, type Services } from '../../src/services.js';
import { captureLogger, testConfig, type StoreTarget } from '../store/store-targets.js';
import { FakeClock } from '@duotoken/test-kit/fake-clock';

/** The service layer over a real store, on a FakeClock, without HTTP. */
export interface WiredServices {
  target: StoreTarget;
  clock: FakeClock;
  services: Services;
  /** Ends the signing thread and drops the store. */
  dispose(): Promise<void>;
}

/** Wires `createServices` over a fresh store of `open` with the test configuration plus `env`. */
export async function wireServices(open: () => Promise<StoreTarget>, env: Record<string, string> = {}): Promise<WiredServices> {
  const target = await open();
  const clock = new FakeClock();
  const services = await createServices(testConfig(env), {
    store: target.store,
    ephemeral: new MemoryEphemeralStore(clock),
    clock,
    logger: captureLogger(),
    serverSecret: randomBytes(32),
  });
  return {
    target,
    clock,
    services,
    async dispose() {
      await services.signingThread?.close();
      await target.dispose();
    },
  };
}
