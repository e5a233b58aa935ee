import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { coalescedRead } from '../src/coalesced-read.js';

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('coalescedRead', () => {
  it('answers a call made during a read with a read that starts after it', async () => {
    const ends: (() => void)[] = [];
    let reads = 0;
    const read = coalescedRead(() => {
      reads++;
      return new Promise<void>((resolve) => ends.push(resolve));
    });

    const first = read();
    let laterDone = false;
    const later = read().then(() => (laterDone = true)); // the job moved on while the first read was under way
    const last = read();
    assert.equal(reads, 1, 'one read at a time');

    ends.shift()!(); // the first read ends: it predates the later calls
    await settle();
    assert.equal(laterDone, false, 'a read that began before the call does not answer it');
    assert.equal(reads, 2, 'the calls made meanwhile cost one more read');

    ends.shift()!();
    await Promise.all([first, later, last]);
    assert.equal(reads, 2);

    const next = read();
    assert.equal(reads, 3, 'idle again: a call reads at once');
    ends.shift()!();
    await next;
  });
});
