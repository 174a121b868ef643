import type { Clock } from '../../src/platform/clock.ts';

/** A clock tests move by hand: starts at the real time, then only moves when told. */
export class TestClock implements Clock {
  constructor(private current = Date.now()) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
}
