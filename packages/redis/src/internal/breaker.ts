/** What ioredis rejects a command with once its `commandTimeout` has passed without an answer. */
const TIMED_OUT = 'Command timed out';

/**
 * Fails fast while Redis hangs. A Redis that is paused, or cut off without a reset, keeps its connection open, so
 * ioredis does not see it go and every command would wait out its whole timeout. Once one has timed out, commands
 * are refused at once for `coolMs`, then tried again; callers fall back as they do while Redis is down.
 */
export class Breaker {
  private openUntil = 0;

  constructor(
    private readonly coolMs = 2000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  async run<T>(command: () => Promise<T>): Promise<T> {
    if (this.now() < this.openUntil)
      throw new Error('Redis did not answer in time a moment ago; it is asked again shortly.');
    try {
      return await command();
    } catch (error) {
      if (error instanceof Error && error.message === TIMED_OUT) this.openUntil = this.now() + this.coolMs;
      throw error;
    }
  }
}
