import type { Clock } from '@duotoken/server';

/** A clock that moves only when told: tests move time instead of sleeping. */
export class FakeClock implements Clock {
  constructor(private ms = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.ms;
  }
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}
