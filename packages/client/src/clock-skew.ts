/**
 * The difference between the server's clock and this client's, learnt from
 * the `Date` header of every answer (SPEC §7). Token expiries are server
 * times; comparing them with the client's own clock would refresh too early
 * or too late on any machine whose clock is off.
 *
 * The `Date` header has whole-second resolution and is stamped while the
 * server handles the request, so the estimate is taken against the midpoint
 * of the round trip and the truncated second is centred (+500 ms): the error
 * stays within about half a second plus half the round trip.
 */
export class ClockSkew {
  private offset = 0;
  private observed = false;

  /** @param clientNow the client's clock in ms (injectable for tests). */
  constructor(private readonly clientNow: () => number = Date.now) {}

  /** Server time minus client time, in ms. */
  get offsetMs(): number {
    return this.offset;
  }

  /** Whether an answer of this client has set the offset yet. */
  get isObserved(): boolean {
    return this.observed;
  }

  /** The server's current time in ms, as well as the client can tell. */
  now(): number {
    return this.clientNow() + this.offset;
  }

  /** The client's own clock (ms). */
  localNow(): number {
    return this.clientNow();
  }

  /**
   * Learns the offset from an answer's `Date` header.
   * @param sentAt client time (ms) when the request left
   * @param receivedAt client time (ms) when the answer arrived
   */
  observe(dateHeader: string | null | undefined, sentAt: number, receivedAt: number = this.clientNow()): void {
    if (!dateHeader) return;
    const server = Date.parse(dateHeader);
    if (Number.isNaN(server)) return;
    this.offset = Math.round(server + 500 - (sentAt + receivedAt) / 2);
    this.observed = true;
  }

  /**
   * Starts from an offset stored with the tokens (by another tab, or before a
   * reload) until this client has seen an answer of its own.
   */
  adopt(offsetMs: number): void {
    if (!this.observed && Number.isFinite(offsetMs)) this.offset = offsetMs;
  }
}
