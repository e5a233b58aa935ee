import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { prettyLogs } from '../src/logger.js';

describe('the log format', () => {
  it('is readable lines on a terminal unless LOG_FORMAT=json, JSON when piped unless LOG_FORMAT=pretty', () => {
    assert.equal(prettyLogs('auto', { isTTY: true }), true);
    assert.equal(prettyLogs('auto', { isTTY: undefined }), false);
    assert.equal(prettyLogs('json', { isTTY: true }), false);
    assert.equal(prettyLogs('pretty', { isTTY: undefined }), true);
  });
});
