import protobuf from 'protobufjs';
import { MESOS_PROTO, SCHEDULER_PROTO } from './mesos-proto.ts';

let root: protobuf.Root | undefined;

/** The parsed schema (field names kept in snake_case, as on the wire and in JSON). */
export function protoRoot(): protobuf.Root {
  if (!root) {
    const r = new protobuf.Root();
    protobuf.parse(MESOS_PROTO, r, { keepCase: true });
    protobuf.parse(SCHEDULER_PROTO, r, { keepCase: true });
    r.resolveAll();
    root = r;
  }
  return root;
}

export function callType(): protobuf.Type {
  return protoRoot().lookupType('mesos.v1.scheduler.Call');
}

export function eventType(): protobuf.Type {
  return protoRoot().lookupType('mesos.v1.scheduler.Event');
}
