import test from 'ava';
import { negotiate } from '../../src/fake-master/accept.ts';
import type { WireFormat } from '../../src/mesos-http/codec/codec.ts';

// The master's Accept rule for SUBSCRIBE: JSON if the header allows application/json, otherwise
// protobuf if it allows application/x-protobuf, otherwise nothing (406). q=0 excludes a type.

const CASES: [string | undefined, WireFormat | undefined][] = [
  [undefined, 'json'],
  ['', 'json'],
  ['application/json', 'json'],
  ['*/*', 'json'],
  ['application/*', 'json'],
  ['application/x-protobuf', 'protobuf'],
  ['application/json;q=0, application/x-protobuf', 'protobuf'],
  ['application/json; q=0, application/x-protobuf; q=1', 'protobuf'],
  ['*/*, application/json;q=0', 'protobuf'],
  ['application/*;q=0, application/x-protobuf', 'protobuf'],
  // JSON wins whenever it is allowed at all, whatever the weights.
  ['application/x-protobuf, application/json;q=0.1', 'json'],
  ['text/html, application/json;q=0.5', 'json'],
  ['text/html', undefined],
  ['application/xml, text/plain', undefined],
  ['application/json;q=0', undefined],
  ['application/json;q=0, application/x-protobuf;q=0', undefined],
  ['*/*;q=0', undefined],
  ['application/*;q=0', undefined],
];

for (const [accept, expected] of CASES) {
  test(`accept › negotiate(${JSON.stringify(accept)}) gives ${expected ?? 'nothing (406)'}`, (t) => {
    t.is(negotiate(accept), expected);
  });
}
