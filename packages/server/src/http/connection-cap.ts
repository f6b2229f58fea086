import { BlockList, isIPv4, type Socket } from 'node:net';
import type { Server } from 'node:http';
import { addressBucket } from '../auth/rate-limiter.js';

/** `DUOTOKEN_TRUST_PROXY` as a test on a peer address: true for a proxy whose connections carry many clients. */
export function trustedPeers(trustProxy: boolean | string): (address: string) => boolean {
  if (trustProxy === true) return () => true;
  if (trustProxy === false) return () => false;
  const list = new BlockList();
  for (const item of trustProxy.split(',')) {
    const [address = '', prefix] = item.split('/');
    const type = isIPv4(address) ? 'ipv4' : 'ipv6';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return (address) => {
    const plain = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1] ?? address;
    return list.check(plain, isIPv4(plain) ? 'ipv4' : 'ipv6');
  };
}

/**
 * Caps the connections one client address holds open (IPv6: per /64, as the
 * rate limits count): a connection beyond `max` is closed as soon as it is
 * accepted, before any byte is read, so one host cannot hold thousands of
 * idle or half-sent requests (#12.9, CWE-400). Peers that are trusted
 * proxies are not counted: every client behind them shares their address.
 * `max` 0 turns the cap off.
 */
export function capConnectionsPerAddress(server: Server, max: number, isTrustedPeer: (address: string) => boolean): void {
  if (max === 0) return;
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress;
    if (!address || isTrustedPeer(address)) return;
    const key = addressBucket(address);
    const count = (open.get(key) ?? 0) + 1;
    if (count > max) {
      socket.destroy();
      return;
    }
    open.set(key, count);
    socket.once('close', () => {
      const left = (open.get(key) ?? 1) - 1;
      if (left > 0) open.set(key, left);
      else open.delete(key);
    });
  });
}
