import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { forEachBinaryRecord, varIntSize, writeVarInt } from '../src/protocol/binary-framing.js';
import { InvalidDataError } from '../src/protocol/errors.js';
import { JsonHubProtocol } from '../src/protocol/json-protocol.js';
import type { HubMessage } from '../src/protocol/messages.js';
import { MessagePackHubProtocol } from '../src/protocol/msgpack-protocol.js';

describe('framing', () => {
  it('encodes VarInt lengths as the spec examples do', () => {
    for (const [value, bytes] of [
      [0x35, [0x35]],
      [5248, [0x80, 0x29]],
      [0x7fffffff, [0xff, 0xff, 0xff, 0xff, 0x07]],
    ] as const) {
      const buffer = Buffer.alloc(varIntSize(value));
      writeVarInt(buffer, 0, value);
      assert.deepEqual([...buffer], bytes);
    }
  });

  it('splits length-prefixed records and leaves a partial one for later', () => {
    const input = Buffer.from([0x0b, ...Buffer.from('Hello\nWorld'), 0x02, 0x01, 0x02, 0x05, 0x01]);
    const records: string[] = [];
    const end = forEachBinaryRecord(input, 0, 1024, (from, to) => records.push(input.toString('hex', from, to)));
    assert.deepEqual(records, [Buffer.from('Hello\nWorld').toString('hex'), '0102']);
    assert.equal(end, input.length - 2);
  });

  it('refuses records over the size limit, even before they are complete', () => {
    assert.throws(() => forEachBinaryRecord(Buffer.from([0x80, 0x01]), 0, 100, () => {}), InvalidDataError);
    const json = new JsonHubProtocol();
    assert.throws(() => json.parseMessages(Buffer.from('x'.repeat(200)), 0, 100, []), /maximum message size of 100 bytes/);
  });

  it('reads the MessagePack examples of HubProtocol.md', () => {
    const protocol = new MessagePackHubProtocol();
    const invocation = Buffer.from([0x11, 0x96, 0x01, 0x80, 0xa3, 0x78, 0x79, 0x7a, 0xa6, 0x6d, 0x65, 0x74, 0x68, 0x6f, 0x64, 0x91, 0x2a, 0x90]);
    const messages: HubMessage[] = [];
    protocol.parseMessages(invocation, 0, 1024, messages);
    assert.deepEqual(messages[0], { type: 1, headers: undefined, invocationId: 'xyz', target: 'method', arguments: [42], streamIds: undefined });
    const ping = protocol.writeMessage({ type: 6 });
    assert.deepEqual([...ping], [0x02, 0x91, 0x06]);
    const completion = protocol.writeMessage({ type: 3, invocationId: 'xyz', result: 42, hasResult: true });
    assert.deepEqual([...completion], [0x09, 0x95, 0x03, 0x80, 0xa3, 0x78, 0x79, 0x7a, 0x03, 0x2a]);
  });

  it('leaves undefined properties out in MessagePack, as JSON does', () => {
    const protocol = new MessagePackHubProtocol();
    const record = protocol.writeMessage({ type: 1, target: 't', arguments: [{ a: 1, gone: undefined }] });
    const messages: HubMessage[] = [];
    protocol.parseMessages(record, 0, 1024, messages);
    assert.deepEqual((messages[0] as unknown as { arguments: unknown[] }).arguments, [{ a: 1 }]);
  });

  it('writes JSON completions: void, null result, error', () => {
    const json = new JsonHubProtocol();
    assert.equal(json.writeMessage({ type: 3, invocationId: '1' }).toString(), '{"type":3,"invocationId":"1"}\x1e');
    assert.equal(json.writeMessage({ type: 3, invocationId: '1', result: null, hasResult: true }).toString(), '{"type":3,"invocationId":"1","result":null}\x1e');
    assert.equal(json.writeMessage({ type: 3, invocationId: '1', error: 'no' }).toString(), '{"type":3,"invocationId":"1","error":"no"}\x1e');
  });

  it('refuses a Completion with both a result and an error', () => {
    assert.throws(
      () => new JsonHubProtocol().parseMessages(Buffer.from('{"type":3,"invocationId":"1","result":1,"error":"x"}\x1e'), 0, 1024, []),
      /mutually exclusive/,
    );
  });
});
