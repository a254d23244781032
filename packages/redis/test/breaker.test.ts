import { describe, expect, it } from 'vitest';
import { Breaker } from '../src/internal/breaker';

describe('Breaker', () => {
  it('refuses at once for a while after a command timed out, then asks Redis again', async () => {
    let now = 0;
    const breaker = new Breaker(2000, () => now);
    let asked = 0;
    const hung = () => (asked++, Promise.reject(new Error('Command timed out')));
    const answered = () => (asked++, Promise.resolve('OK'));
    const outcome = (command: () => Promise<string>) =>
      breaker.run(command).then(
        (value) => value,
        (error: Error) => error.message,
      );

    expect(await outcome(hung)).toBe('Command timed out');
    now = 1999;
    expect(await outcome(answered)).toBe(
      'Redis did not answer in time a moment ago; it is asked again shortly.',
    );
    expect(asked).toBe(1); // refused without asking
    now = 2000;
    expect(await outcome(answered)).toBe('OK');
    expect(asked).toBe(2);
  });

  it('passes other failures through without refusing what follows', async () => {
    const breaker = new Breaker(2000, () => 0);
    const closed = () =>
      Promise.reject(new Error("Stream isn't writeable and enableOfflineQueue options is false"));
    await expect(breaker.run(closed)).rejects.toThrow(/enableOfflineQueue/);
    expect(await breaker.run(() => Promise.resolve(7))).toBe(7);
  });
});
