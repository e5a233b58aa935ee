import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type HistoryPage, SequencedFeed } from '../src/index.js';

interface Event {
  readonly sequence: number;
  readonly source: 'live' | 'history';
}

/** A stored history of `last` events that a feed reads pages of. */
function history(last: number, pageSize = 2) {
  const reads: number[] = [];
  const fetchAfter = async (after: number): Promise<HistoryPage<Event>> => {
    reads.push(after);
    const events: Event[] = [];
    for (let s = after + 1; s <= Math.min(last, after + pageSize); s++) events.push({ sequence: s, source: 'history' });
    return { events, lastSequence: last };
  };
  return { fetchAfter, reads };
}

describe('SequencedFeed (the wire contract)', () => {
  it('delivers live events once and in order; repeats and older ones are dropped', () => {
    const delivered: number[] = [];
    const feed = new SequencedFeed<Event>({ fetchAfter: history(0).fetchAfter, deliver: (e) => delivered.push(e.sequence) }, 0);
    for (const sequence of [1, 2, 2, 1, 3]) feed.push({ sequence, source: 'live' });
    assert.deepEqual(delivered, [1, 2, 3]);
    assert.equal(feed.lastSequence, 3);
  });

  it('fills a gap from the stored history before delivering what it held', async () => {
    const delivered: Event[] = [];
    const store = history(5);
    const feed = new SequencedFeed<Event>({ fetchAfter: store.fetchAfter, deliver: (e) => delivered.push(e) }, 1);
    feed.push({ sequence: 5, source: 'live' });
    await feed.catchUp();
    assert.deepEqual(
      delivered.map((e) => e.sequence),
      [2, 3, 4, 5],
    );
    // The held live event counts as seen: the one from history took its place, nothing twice.
    assert.equal(delivered.filter((e) => e.sequence === 5).length, 1);
    assert.ok(store.reads.length >= 2, 'read page by page');
    feed.close();
  });
});
