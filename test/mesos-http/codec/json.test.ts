import test, { type ExecutionContext } from 'ava';
import type {
  AcknowledgeCall,
  Call,
  Event,
  FailureEvent,
  KillCall,
  OffersEvent,
  SubscribeCall,
  SubscribedEvent,
  UpdateEvent,
} from '../../../src/core/mesos/v1.ts';
import { CONTENT_TYPES, codecFor, formatOfContentType } from '../../../src/mesos-http/codec/codec.ts';
import { CallRejected } from '../../../src/mesos-http/codec/errors.ts';
import {
  decodeCallJson,
  decodeEventJson,
  encodeCallJson,
  encodeEventJson,
} from '../../../src/mesos-http/codec/json.ts';
import { text, utf8 } from '../../helpers/bytes.ts';
import { ACCEPT_6_4, FW, MASTER, OFFERS_6_3, S0, S1, TASK, UUID } from '../../helpers/mesos-fixtures.ts';

const event = (json: string): Event => decodeEventJson(utf8(json));
const call = (json: string): Call => decodeCallJson(utf8(json));

const CONVERT = 'Failed to convert JSON into Call protobuf: ';
const MISSING = `${CONVERT}Missing required fields: `;

/** Asserts that the master would refuse `json` with 400 and returns the message. */
function rejected(t: ExecutionContext, json: string): string {
  const err = t.throws(() => call(json), { instanceOf: CallRejected });
  t.is((err as CallRejected | undefined)?.status, 400);
  return err?.message ?? '';
}

/** The paths listed after "Missing required fields: ", sorted. */
function missingPaths(t: ExecutionContext, json: string): string[] {
  const message = rejected(t, json);
  t.true(message.startsWith(MISSING), message);
  return message.slice(MISSING.length).split(', ').sort();
}

// ---- §6 placeholders --------------------------------------------------------------------------

// ---- §6 events, as the master writes them ----------------------------------------------------

const SUBSCRIBED_JSON = `{
  "type": "SUBSCRIBED",
  "subscribed": {
    "framework_id": {"value": "7c2a4f3e-9b1d-4c8e-a5f6-0d1e2f3a4b5c-0000"},
    "heartbeat_interval_seconds": 15.0,
    "master_info": {
      "id": "7c2a4f3e-9b1d-4c8e-a5f6-0d1e2f3a4b5c",
      "ip": 16777226,
      "port": 5050,
      "pid": "master@10.0.0.1:5050",
      "hostname": "m1.lab",
      "version": "1.12.0",
      "address": {"hostname": "m1.lab", "ip": "10.0.0.1", "port": 5050},
      "capabilities": [{"type": "AGENT_UPDATE"}, {"type": "AGENT_DRAINING"}, {"type": "QUOTA_V2"}]
    }
  }
}`;

const SUBSCRIBED: SubscribedEvent = {
  type: 'SUBSCRIBED',
  subscribed: {
    framework_id: { value: FW },
    heartbeat_interval_seconds: 15,
    master_info: {
      id: MASTER,
      ip: 16777226,
      port: 5050,
      pid: 'master@10.0.0.1:5050',
      hostname: 'm1.lab',
      version: '1.12.0',
      address: { hostname: 'm1.lab', ip: '10.0.0.1', port: 5050 },
      capabilities: [{ type: 'AGENT_UPDATE' }, { type: 'AGENT_DRAINING' }, { type: 'QUOTA_V2' }],
    },
  },
};

const OFFERS_JSON = `{
  "type": "OFFERS",
  "offers": {
    "offers": [
      {
        "id": {"value": "7c2a4f3e-9b1d-4c8e-a5f6-0d1e2f3a4b5c-O41"},
        "framework_id": {"value": "7c2a4f3e-9b1d-4c8e-a5f6-0d1e2f3a4b5c-0000"},
        "agent_id": {"value": "7c2a4f3e-9b1d-4c8e-a5f6-0d1e2f3a4b5c-S0"},
        "hostname": "node-a.lab",
        "url": {
          "scheme": "http",
          "address": {"hostname": "node-a.lab", "ip": "10.0.0.11", "port": 5051},
          "path": "/slave(1)"
        },
        "resources": [
          {"name": "cpus", "type": "SCALAR", "scalar": {"value": 8.0}, "role": "*", "allocation_info": {"role": "lab"}},
          {"name": "mem", "type": "SCALAR", "scalar": {"value": 30720.0}, "role": "*", "allocation_info": {"role": "lab"}},
          {"name": "disk", "type": "SCALAR", "scalar": {"value": 200000.0}, "role": "*", "allocation_info": {"role": "lab"}},
          {"name": "ports", "type": "RANGES",
           "ranges": {"range": [{"begin": 31000, "end": 31099}, {"begin": 31200, "end": 32000}]},
           "role": "*", "allocation_info": {"role": "lab"}}
        ],
        "attributes": [
          {"name": "nodetype", "type": "TEXT", "text": {"value": "lab"}},
          {"name": "rack", "type": "TEXT", "text": {"value": "r12"}},
          {"name": "cores", "type": "SCALAR", "scalar": {"value": 16.0}}
        ],
        "allocation_info": {"role": "lab"}
      },
      {
        "id": {"value": "7c2a4f3e-9b1d-4c8e-a5f6-0d1e2f3a4b5c-O42"},
        "framework_id": {"value": "7c2a4f3e-9b1d-4c8e-a5f6-0d1e2f3a4b5c-0000"},
        "agent_id": {"value": "7c2a4f3e-9b1d-4c8e-a5f6-0d1e2f3a4b5c-S1"},
        "hostname": "node-b.lab",
        "url": {
          "scheme": "http",
          "address": {"hostname": "node-b.lab", "ip": "10.0.0.12", "port": 5051},
          "path": "/slave(1)"
        },
        "resources": [
          {"name": "cpus", "type": "SCALAR", "scalar": {"value": 3.5}, "role": "*", "allocation_info": {"role": "lab"}},
          {"name": "mem", "type": "SCALAR", "scalar": {"value": 7168.0}, "role": "*", "allocation_info": {"role": "lab"}},
          {"name": "disk", "type": "SCALAR", "scalar": {"value": 50000.0}, "role": "*", "allocation_info": {"role": "lab"}},
          {"name": "ports", "type": "RANGES", "ranges": {"range": [{"begin": 31000, "end": 32000}]},
           "role": "*", "allocation_info": {"role": "lab"}}
        ],
        "attributes": [
          {"name": "nodetype", "type": "TEXT", "text": {"value": "lab"}}
        ],
        "executor_ids": [{"value": "lab-custom-executor-3"}],
        "unavailability": {
          "start": {"nanoseconds": 1718006400123456789},
          "duration": {"nanoseconds": 3600000000000}
        },
        "allocation_info": {"role": "lab"}
      }
    ]
  }
}`;

const OFFERS = OFFERS_6_3;

const UPDATE_JSON = `{
  "type": "UPDATE",
  "update": {
    "status": {
      "task_id": {"value": "analytics-worker.5b1c9e"},
      "state": "TASK_RUNNING",
      "source": "SOURCE_EXECUTOR",
      "agent_id": {"value": "7c2a4f3e-9b1d-4c8e-a5f6-0d1e2f3a4b5c-S0"},
      "executor_id": {"value": "analytics-worker.5b1c9e"},
      "timestamp": 1718000012.52,
      "uuid": "jVuXL0yIRpqMq4TnAUkVPw==",
      "container_status": {
        "container_id": {"value": "6a9d1f0e-2c3b-4d5e-8f70-91a2b3c4d5e6"},
        "network_infos": [{"ip_addresses": [{"protocol": "IPv4", "ip_address": "172.17.0.4"}]}]
      }
    }
  }
}`;

const UNREACHABLE_JSON =
  '{"type":"UPDATE","update":{"status":{"task_id":{"value":"analytics-worker.5b1c9e"},"state":"TASK_UNREACHABLE","message":"health check timed out","source":"SOURCE_MASTER","reason":"REASON_AGENT_REMOVED","agent_id":{"value":"7c2a4f3e-9b1d-4c8e-a5f6-0d1e2f3a4b5c-S0"},"timestamp":1718000500.4817,"unreachable_time":{"nanoseconds":1718000500481516273}}}}';
const UNREACHABLE: UpdateEvent = {
  type: 'UPDATE',
  update: {
    status: {
      task_id: { value: TASK },
      state: 'TASK_UNREACHABLE',
      message: 'health check timed out',
      source: 'SOURCE_MASTER',
      reason: 'REASON_AGENT_REMOVED',
      agent_id: { value: S0 },
      timestamp: 1718000500.4817,
      unreachable_time: { nanoseconds: '1718000500481516273' },
    },
  },
};

const HEARTBEAT_JSON = '{"type":"HEARTBEAT"}';
const ERROR_JSON = '{"type":"ERROR","error":{"message":"Framework failed over"}}';
const RESCIND_JSON =
  '{"type":"RESCIND","rescind":{"offer_id":{"value":"7c2a4f3e-9b1d-4c8e-a5f6-0d1e2f3a4b5c-O42"}}}';
const AGENT_LOST_JSON =
  '{"type":"FAILURE","failure":{"agent_id":{"value":"7c2a4f3e-9b1d-4c8e-a5f6-0d1e2f3a4b5c-S1"}}}';
const EXECUTOR_EXITED_JSON =
  '{"type":"FAILURE","failure":{"agent_id":{"value":"7c2a4f3e-9b1d-4c8e-a5f6-0d1e2f3a4b5c-S1"},"executor_id":{"value":"lab-custom-executor-3"},"status":256}}';
const MESSAGE_JSON =
  '{"type":"MESSAGE","message":{"agent_id":{"value":"7c2a4f3e-9b1d-4c8e-a5f6-0d1e2f3a4b5c-S1"},"executor_id":{"value":"lab-custom-executor-3"},"data":"aGVsbG8gZXhlY3V0b3I="}}';
const INVERSE_OFFERS_JSON =
  '{"type":"INVERSE_OFFERS","inverse_offers":{"inverse_offers":[{"id":{"value":"7c2a4f3e-9b1d-4c8e-a5f6-0d1e2f3a4b5c-O57"},"url":{"scheme":"http","address":{"hostname":"node-b.lab","ip":"10.0.0.12","port":5051},"path":"/slave(1)"},"framework_id":{"value":"7c2a4f3e-9b1d-4c8e-a5f6-0d1e2f3a4b5c-0000"},"agent_id":{"value":"7c2a4f3e-9b1d-4c8e-a5f6-0d1e2f3a4b5c-S1"},"unavailability":{"start":{"nanoseconds":1718006400123456789},"duration":{"nanoseconds":3600000000000}}}]}}';

// ---- §6 calls, as a scheduler sends them -------------------------------------------------------

const SUBSCRIBE_JSON = `{
  "type": "SUBSCRIBE",
  "subscribe": {
    "framework_info": {
      "user": "svc-lab",
      "name": "lab-scheduler",
      "roles": ["lab"],
      "failover_timeout": 604800.0,
      "checkpoint": true,
      "hostname": "sched-1.lab",
      "principal": "lab-scheduler",
      "capabilities": [
        {"type": "MULTI_ROLE"},
        {"type": "PARTITION_AWARE"},
        {"type": "TASK_KILLING_STATE"}
      ],
      "labels": {"labels": [{"key": "team", "value": "lab"}]}
    },
    "suppressed_roles": []
  }
}`;

const FRAMEWORK_INFO: SubscribeCall['subscribe']['framework_info'] = {
  user: 'svc-lab',
  name: 'lab-scheduler',
  roles: ['lab'],
  failover_timeout: 604800,
  checkpoint: true,
  hostname: 'sched-1.lab',
  principal: 'lab-scheduler',
  capabilities: [{ type: 'MULTI_ROLE' }, { type: 'PARTITION_AWARE' }, { type: 'TASK_KILLING_STATE' }],
  labels: { labels: [{ key: 'team', value: 'lab' }] },
};

const ACCEPT_JSON = `{
  "framework_id": {"value": "7c2a4f3e-9b1d-4c8e-a5f6-0d1e2f3a4b5c-0000"},
  "type": "ACCEPT",
  "accept": {
    "offer_ids": [{"value": "7c2a4f3e-9b1d-4c8e-a5f6-0d1e2f3a4b5c-O41"}],
    "operations": [
      {
        "type": "LAUNCH",
        "launch": {
          "task_infos": [
            {
              "name": "analytics-worker",
              "task_id": {"value": "analytics-worker.5b1c9e"},
              "agent_id": {"value": "7c2a4f3e-9b1d-4c8e-a5f6-0d1e2f3a4b5c-S0"},
              "resources": [
                {"name": "cpus", "type": "SCALAR", "scalar": {"value": 2.0}, "role": "*", "allocation_info": {"role": "lab"}},
                {"name": "mem", "type": "SCALAR", "scalar": {"value": 4096.0}, "role": "*", "allocation_info": {"role": "lab"}},
                {"name": "disk", "type": "SCALAR", "scalar": {"value": 1024.0}, "role": "*", "allocation_info": {"role": "lab"}},
                {"name": "ports", "type": "RANGES", "ranges": {"range": [{"begin": 31000, "end": 31001}]},
                 "role": "*", "allocation_info": {"role": "lab"}}
              ],
              "command": {
                "shell": false,
                "arguments": ["--threads", "4", "--input", "/data/set1", "--listen", "0.0.0.0:8080"],
                "environment": {
                  "variables": [
                    {"name": "RUN_MODE", "value": "batch"},
                    {"name": "PORT0", "value": "31000"}
                  ]
                },
                "uris": [{"value": "http://artifacts.lab/config/runner.yaml", "extract": false, "cache": true}]
              },
              "container": {
                "type": "DOCKER",
                "docker": {
                  "image": "registry.lab:5000/analytics/batch-runner:2.3",
                  "network": "BRIDGE",
                  "port_mappings": [
                    {"host_port": 31000, "container_port": 8080, "protocol": "tcp"},
                    {"host_port": 31001, "container_port": 9090, "protocol": "tcp"}
                  ],
                  "privileged": false,
                  "force_pull_image": false,
                  "parameters": [
                    {"key": "label", "value": "team=lab"},
                    {"key": "shm-size", "value": "256m"}
                  ]
                },
                "volumes": [
                  {"container_path": "/data", "host_path": "/srv/datasets", "mode": "RO"},
                  {"container_path": "/scratch", "host_path": "scratch", "mode": "RW"}
                ]
              },
              "kill_policy": {"grace_period": {"nanoseconds": 30000000000}},
              "labels": {"labels": [{"key": "app", "value": "analytics"}]}
            }
          ]
        }
      }
    ],
    "filters": {"refuse_seconds": 30.0}
  }
}`;

const ACCEPT = ACCEPT_6_4;

const KILL_JSON =
  '{"framework_id":{"value":"7c2a4f3e-9b1d-4c8e-a5f6-0d1e2f3a4b5c-0000"},"type":"KILL","kill":{"task_id":{"value":"analytics-worker.5b1c9e"},"agent_id":{"value":"7c2a4f3e-9b1d-4c8e-a5f6-0d1e2f3a4b5c-S0"},"kill_policy":{"grace_period":{"nanoseconds":5000000000}}}}';
const KILL: KillCall = {
  framework_id: { value: FW },
  type: 'KILL',
  kill: {
    task_id: { value: TASK },
    agent_id: { value: S0 },
    kill_policy: { grace_period: { nanoseconds: '5000000000' } },
  },
};

const ACKNOWLEDGE_JSON = `{
  "framework_id": {"value": "7c2a4f3e-9b1d-4c8e-a5f6-0d1e2f3a4b5c-0000"},
  "type": "ACKNOWLEDGE",
  "acknowledge": {
    "agent_id": {"value": "7c2a4f3e-9b1d-4c8e-a5f6-0d1e2f3a4b5c-S0"},
    "task_id": {"value": "analytics-worker.5b1c9e"},
    "uuid": "jVuXL0yIRpqMq4TnAUkVPw=="
  }
}`;
const ACKNOWLEDGE: AcknowledgeCall = {
  framework_id: { value: FW },
  type: 'ACKNOWLEDGE',
  acknowledge: { agent_id: { value: S0 }, task_id: { value: TASK }, uuid: UUID },
};

// ---- encodeCallJson, encodeEventJson ---------------------------------------------------------------------------

test('JSON › encodeCallJson writes a call compactly with snake_case keys and enum names', (t) => {
  const out = text(encodeCallJson(ACKNOWLEDGE));
  t.is(
    out,
    `{"framework_id":{"value":"${FW}"},"type":"ACKNOWLEDGE","acknowledge":{"agent_id":{"value":"${S0}"},"task_id":{"value":"${TASK}"},"uuid":"${UUID}"}}`,
  );
  t.false(/\s/.test(out));
});

test('JSON › encodeCallJson writes the §6.8 KILL call byte for byte, grace period as a bare number', (t) => {
  t.is(text(encodeCallJson(KILL)), KILL_JSON);
});

test('JSON › encodeCallJson writes the §6.8 TEARDOWN, REVIVE and SUPPRESS calls byte for byte', (t) => {
  t.is(
    text(encodeCallJson({ framework_id: { value: FW }, type: 'TEARDOWN' })),
    `{"framework_id":{"value":"${FW}"},"type":"TEARDOWN"}`,
  );
  t.is(
    text(encodeCallJson({ framework_id: { value: FW }, type: 'REVIVE', revive: { roles: ['lab'] } })),
    `{"framework_id":{"value":"${FW}"},"type":"REVIVE","revive":{"roles":["lab"]}}`,
  );
  t.is(
    text(encodeCallJson({ framework_id: { value: FW }, type: 'SUPPRESS', suppress: { roles: ['lab'] } })),
    `{"framework_id":{"value":"${FW}"},"type":"SUPPRESS","suppress":{"roles":["lab"]}}`,
  );
});

test('JSON › encodeEventJson writes HEARTBEAT as the 20 bytes of §1.5', (t) => {
  const bytes = encodeEventJson({ type: 'HEARTBEAT' });
  t.is(text(bytes), HEARTBEAT_JSON);
  t.is(bytes.length, 20);
});

test('JSON › encodeEventJson nests the ERROR message under error.message (§6.9)', (t) => {
  t.is(text(encodeEventJson({ type: 'ERROR', error: { message: 'Framework failed over' } })), ERROR_JSON);
});

test('JSON › encodeEventJson writes the §6.9 RESCIND and both FAILURE forms byte for byte', (t) => {
  t.is(
    text(encodeEventJson({ type: 'RESCIND', rescind: { offer_id: { value: `${MASTER}-O42` } } })),
    RESCIND_JSON,
  );
  t.is(text(encodeEventJson({ type: 'FAILURE', failure: { agent_id: { value: S1 } } })), AGENT_LOST_JSON);
  const exited: FailureEvent = {
    type: 'FAILURE',
    failure: { agent_id: { value: S1 }, executor_id: { value: 'lab-custom-executor-3' }, status: 256 },
  };
  t.is(text(encodeEventJson(exited)), EXECUTOR_EXITED_JSON);
});

test('JSON › encodeEventJson nests offers under offers.offers, keeps enum names and writes whole doubles with .0', (t) => {
  const out = text(encodeEventJson(OFFERS));
  t.true(out.startsWith('{"type":"OFFERS","offers":{"offers":[{"id":{"value":'), out.slice(0, 60));
  t.true(out.includes('"type":"SCALAR","scalar":{"value":8.0}'));
  t.true(out.includes('"ranges":{"range":[{"begin":31000,"end":31099},{"begin":31200,"end":32000}]}'));
  t.true(out.includes('"type":"TEXT","text":{"value":"r12"}'));
  t.false(/\s/.test(out));
});

test('JSON › encodeEventJson writes the §6.3 nanoseconds as bare JSON numbers with every digit', (t) => {
  const out = text(encodeEventJson(OFFERS));
  t.true(
    out.includes(
      '"unavailability":{"start":{"nanoseconds":1718006400123456789},"duration":{"nanoseconds":3600000000000}}',
    ),
  );
  t.false(out.includes('"nanoseconds":"'));
});

test('JSON › encodeEventJson writes the §6.9 TASK_UNREACHABLE update byte for byte, unreachable_time exact', (t) => {
  t.is(text(encodeEventJson(UNREACHABLE)), UNREACHABLE_JSON);
});

test('JSON › encodeCallJson writes a negative 64-bit nanoseconds as a bare number', (t) => {
  const kill: KillCall = {
    framework_id: { value: 'f' },
    type: 'KILL',
    kill: { task_id: { value: 't' }, kill_policy: { grace_period: { nanoseconds: '-9223372036854775808' } } },
  };
  t.true(text(encodeCallJson(kill)).includes('"grace_period":{"nanoseconds":-9223372036854775808}'));
});

test('JSON › encodeEventJson leaves a string that merely mentions "nanoseconds" untouched', (t) => {
  const message = '"nanoseconds":"123" is not a field here';
  const update: UpdateEvent = {
    type: 'UPDATE',
    update: { status: { task_id: { value: 't' }, state: 'TASK_FAILED', message } },
  };
  const out = text(encodeEventJson(update));
  t.true(out.includes(JSON.stringify(message)));
  t.deepEqual(decodeEventJson(utf8(out)), update);
});

test('JSON › encodeEventJson writes non-ASCII characters raw in UTF-8, not \\u escaped', (t) => {
  const bytes = encodeEventJson({ type: 'ERROR', error: { message: 'é漢😀' } });
  t.is(text(bytes), '{"type":"ERROR","error":{"message":"é漢😀"}}');
  t.false(text(bytes).includes('\\u'));
  t.is(bytes.length, '{"type":"ERROR","error":{"message":""}}'.length + 2 + 3 + 4);
});

test('JSON › encodeEventJson writes the §1.5 SUBSCRIBED record byte for byte (107 bytes, whole doubles keep .0)', (t) => {
  const subscribed: SubscribedEvent = {
    type: 'SUBSCRIBED',
    subscribed: { framework_id: { value: 'f3c1-0000' }, heartbeat_interval_seconds: 15 },
  };
  const bytes = encodeEventJson(subscribed);
  t.is(
    text(bytes),
    '{"type":"SUBSCRIBED","subscribed":{"framework_id":{"value":"f3c1-0000"},"heartbeat_interval_seconds":15.0}}',
  );
  t.is(bytes.length, 107);
});

test('JSON › encodeEventJson leaves an empty repeated field of an event out, as the master does (§5.1)', (t) => {
  const offers: OffersEvent = {
    type: 'OFFERS',
    offers: {
      offers: [
        {
          id: { value: 'o1' },
          framework_id: { value: 'f' },
          agent_id: { value: 'a' },
          hostname: 'h',
          resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 1.5 } }],
          attributes: [],
        },
      ],
    },
  };
  t.false(text(encodeEventJson(offers)).includes('"attributes"'));
});

// ---- decodeEventJson --------------------------------------------------------------------------

test('JSON › decodeEventJson reads the §6.2 SUBSCRIBED with master_info', (t) => {
  t.deepEqual(event(SUBSCRIBED_JSON), SUBSCRIBED);
});

test('JSON › decodeEventJson reads the §6.3 OFFERS with two offers, unavailability nanoseconds exact', (t) => {
  const decoded = event(OFFERS_JSON);
  t.deepEqual(decoded, OFFERS);
  const second = decoded.type === 'OFFERS' ? decoded.offers.offers[1] : undefined;
  t.is(second?.unavailability?.start.nanoseconds, '1718006400123456789');
  t.is(second?.unavailability?.duration?.nanoseconds, '3600000000000');
});

test('JSON › decodeEventJson reads the §6.5 UPDATE with its uuid as the base64 string received', (t) => {
  const decoded = event(UPDATE_JSON);
  t.like(decoded, {
    type: 'UPDATE',
    update: {
      status: {
        task_id: { value: TASK },
        state: 'TASK_RUNNING',
        source: 'SOURCE_EXECUTOR',
        agent_id: { value: S0 },
        executor_id: { value: TASK },
        timestamp: 1718000012.52,
        uuid: UUID,
      },
    },
  });
});

test('JSON › decodeEventJson reads a master-generated UPDATE without uuid (§6.5)', (t) => {
  const decoded = event(
    `{"type":"UPDATE","update":{"status":{"task_id":{"value":"analytics-worker.77aa01"},"state":"TASK_DROPPED","message":"Task launched with invalid offers: Offer ${MASTER}-O41 is no longer valid","source":"SOURCE_MASTER","reason":"REASON_INVALID_OFFERS","agent_id":{"value":"${S0}"},"timestamp":1718000020.004}}}`,
  );
  const expected: UpdateEvent = {
    type: 'UPDATE',
    update: {
      status: {
        task_id: { value: 'analytics-worker.77aa01' },
        state: 'TASK_DROPPED',
        message: `Task launched with invalid offers: Offer ${MASTER}-O41 is no longer valid`,
        source: 'SOURCE_MASTER',
        reason: 'REASON_INVALID_OFFERS',
        agent_id: { value: S0 },
        timestamp: 1718000020.004,
      },
    },
  };
  t.deepEqual(decoded, expected);
});

test('JSON › decodeEventJson reads the §6.9 TASK_UNREACHABLE update with unreachable_time exact', (t) => {
  t.deepEqual(event(UNREACHABLE_JSON), UNREACHABLE);
});

test('JSON › decodeEventJson reads ERROR, HEARTBEAT and RESCIND (§6.9)', (t) => {
  t.deepEqual(event(ERROR_JSON), { type: 'ERROR', error: { message: 'Framework failed over' } });
  t.deepEqual(event(HEARTBEAT_JSON), { type: 'HEARTBEAT' });
  t.deepEqual(event(RESCIND_JSON), { type: 'RESCIND', rescind: { offer_id: { value: `${MASTER}-O42` } } });
});

test('JSON › decodeEventJson reads both FAILURE forms (§6.9)', (t) => {
  t.deepEqual(event(AGENT_LOST_JSON), { type: 'FAILURE', failure: { agent_id: { value: S1 } } });
  t.deepEqual(event(EXECUTOR_EXITED_JSON), {
    type: 'FAILURE',
    failure: { agent_id: { value: S1 }, executor_id: { value: 'lab-custom-executor-3' }, status: 256 },
  });
});

test('JSON › decodeEventJson reads MESSAGE with its data as the base64 string received (§6.9)', (t) => {
  t.deepEqual(event(MESSAGE_JSON), {
    type: 'MESSAGE',
    message: {
      agent_id: { value: S1 },
      executor_id: { value: 'lab-custom-executor-3' },
      data: 'aGVsbG8gZXhlY3V0b3I=',
    },
  });
});

test('JSON › decodeEventJson keeps INVERSE_OFFERS as its own type, nanoseconds exact (§6.9)', (t) => {
  const decoded = event(INVERSE_OFFERS_JSON);
  t.is(decoded.type, 'INVERSE_OFFERS');
  t.like(decoded as unknown as Record<string, unknown>, {
    inverse_offers: {
      inverse_offers: [{ unavailability: { start: { nanoseconds: '1718006400123456789' } } }],
    },
  });
});

test('JSON › decodeEventJson maps an unknown event type to UNKNOWN', (t) => {
  t.deepEqual(event('{"type":"SOMETHING_NEWER","something_newer":{"x":1}}'), { type: 'UNKNOWN' });
  t.deepEqual(event('{"type":"UNKNOWN"}'), { type: 'UNKNOWN' });
});

test('JSON › decodeEventJson rejects a JSON value that is not an object', (t) => {
  for (const json of ['[]', '[{"type":"HEARTBEAT"}]', 'null', '"HEARTBEAT"', '8', 'true']) {
    t.throws(() => event(json), undefined, json);
  }
});

test('JSON › decodeEventJson rejects an object without a string type', (t) => {
  for (const json of ['{}', '{"error":{"message":"x"}}', '{"type":8}', '{"type":null}']) {
    t.throws(() => event(json), undefined, json);
  }
});

test('JSON › decodeEventJson rejects a record that is not JSON', (t) => {
  t.throws(() => event('{"type":"HEARTBEAT"'));
  t.throws(() => event(''));
});

// ---- decodeCallJson: the §6 calls ---------------------------------------------------------------

test('JSON › decodeCallJson accepts the §6.1 SUBSCRIBE (an empty repeated field stays unset)', (t) => {
  t.deepEqual(call(SUBSCRIBE_JSON), { type: 'SUBSCRIBE', subscribe: { framework_info: FRAMEWORK_INFO } });
});

test('JSON › decodeCallJson accepts a resubscribe with framework_id at the top and in framework_info', (t) => {
  const json = `{"framework_id":{"value":"${FW}"},"type":"SUBSCRIBE","subscribe":{"framework_info":{"id":{"value":"${FW}"},"user":"svc-lab","name":"lab-scheduler"}}}`;
  const expected: SubscribeCall = {
    framework_id: { value: FW },
    type: 'SUBSCRIBE',
    subscribe: { framework_info: { id: { value: FW }, user: 'svc-lab', name: 'lab-scheduler' } },
  };
  t.deepEqual(call(json), expected);
});

test('JSON › decodeCallJson accepts the §6.4 ACCEPT with a Docker task and port mappings', (t) => {
  t.deepEqual(call(ACCEPT_JSON), ACCEPT);
});

test('JSON › decodeCallJson accepts the §6.6 DECLINE with a filter', (t) => {
  const json = `{"framework_id":{"value":"${FW}"},"type":"DECLINE","decline":{"offer_ids":[{"value":"${MASTER}-O42"}],"filters":{"refuse_seconds":600.0}}}`;
  t.deepEqual(call(json), {
    framework_id: { value: FW },
    type: 'DECLINE',
    decline: { offer_ids: [{ value: `${MASTER}-O42` }], filters: { refuse_seconds: 600 } },
  });
});

test('JSON › decodeCallJson accepts the §6.7 explicit RECONCILE', (t) => {
  const json = `{"framework_id":{"value":"${FW}"},"type":"RECONCILE","reconcile":{"tasks":[{"task_id":{"value":"${TASK}"},"agent_id":{"value":"${S0}"}},{"task_id":{"value":"analytics-worker.0f0f0f"}}]}}`;
  t.deepEqual(call(json), {
    framework_id: { value: FW },
    type: 'RECONCILE',
    reconcile: {
      tasks: [
        { task_id: { value: TASK }, agent_id: { value: S0 } },
        { task_id: { value: 'analytics-worker.0f0f0f' } },
      ],
    },
  });
});

test('JSON › decodeCallJson accepts the §6.7 implicit RECONCILE', (t) => {
  t.deepEqual(call(`{"framework_id":{"value":"${FW}"},"type":"RECONCILE","reconcile":{}}`), {
    framework_id: { value: FW },
    type: 'RECONCILE',
    reconcile: {},
  });
});

test('JSON › decodeCallJson accepts the §6.8 KILL, grace period nanoseconds as a decimal string', (t) => {
  t.deepEqual(call(KILL_JSON), KILL);
});

test('JSON › decodeCallJson accepts the §6.5 ACKNOWLEDGE, uuid kept as the base64 string', (t) => {
  t.deepEqual(call(ACKNOWLEDGE_JSON), ACKNOWLEDGE);
});

test('JSON › decodeCallJson accepts the §6.8 REVIVE and SUPPRESS, with and without roles', (t) => {
  t.deepEqual(call(`{"framework_id":{"value":"${FW}"},"type":"REVIVE","revive":{"roles":["lab"]}}`), {
    framework_id: { value: FW },
    type: 'REVIVE',
    revive: { roles: ['lab'] },
  });
  t.deepEqual(call(`{"framework_id":{"value":"${FW}"},"type":"SUPPRESS","suppress":{"roles":["lab"]}}`), {
    framework_id: { value: FW },
    type: 'SUPPRESS',
    suppress: { roles: ['lab'] },
  });
  t.deepEqual(call(`{"framework_id":{"value":"${FW}"},"type":"REVIVE"}`), {
    framework_id: { value: FW },
    type: 'REVIVE',
  });
  t.deepEqual(call(`{"framework_id":{"value":"${FW}"},"type":"SUPPRESS"}`), {
    framework_id: { value: FW },
    type: 'SUPPRESS',
  });
});

test('JSON › decodeCallJson reads a REVIVE sent the docs way ("role") as one reviving all roles (§10.4)', (t) => {
  t.deepEqual(call(`{"framework_id":{"value":"${FW}"},"type":"REVIVE","revive":{"role":"lab"}}`), {
    framework_id: { value: FW },
    type: 'REVIVE',
    revive: {},
  });
});

test('JSON › decodeCallJson accepts the §6.8 TEARDOWN', (t) => {
  t.deepEqual(call(`{"framework_id":{"value":"${FW}"},"type":"TEARDOWN"}`), {
    framework_id: { value: FW },
    type: 'TEARDOWN',
  });
});

test('JSON › decodeCallJson accepts the §6.8 MESSAGE with base64 data', (t) => {
  const json = `{"framework_id":{"value":"${FW}"},"type":"MESSAGE","message":{"agent_id":{"value":"${S1}"},"executor_id":{"value":"lab-custom-executor-3"},"data":"aGVsbG8gZXhlY3V0b3I="}}`;
  t.deepEqual(call(json), {
    framework_id: { value: FW },
    type: 'MESSAGE',
    message: {
      agent_id: { value: S1 },
      executor_id: { value: 'lab-custom-executor-3' },
      data: 'aGVsbG8gZXhlY3V0b3I=',
    },
  });
});

test('JSON › decodeCallJson reads back what encodeCallJson writes for the §6 calls', (t) => {
  const calls: Call[] = [
    { type: 'SUBSCRIBE', subscribe: { framework_info: FRAMEWORK_INFO, suppressed_roles: ['lab'] } },
    ACCEPT,
    KILL,
    ACKNOWLEDGE,
    { framework_id: { value: FW }, type: 'TEARDOWN' },
  ];
  for (const c of calls) t.deepEqual(decodeCallJson(encodeCallJson(c)), c, c.type);
});

test('JSON › decodeCallJson keeps a nanoseconds number above 2^53 exact, as the master reads int64', (t) => {
  const json = `{"framework_id":{"value":"f"},"type":"KILL","kill":{"task_id":{"value":"t"},"kill_policy":{"grace_period":{"nanoseconds":1718006400123456789}}}}`;
  t.like(call(json), { kill: { kill_policy: { grace_period: { nanoseconds: '1718006400123456789' } } } });
});

// ---- decodeCallJson: refusals -----------------------------------------------------------------

test('JSON › decodeCallJson refuses invalid JSON with 400 "Failed to parse body into JSON: …"', (t) => {
  for (const body of ['{"type":', 'not json', '', "{'type':'TEARDOWN'}", '{"type":"TEARDOWN"} x']) {
    const message = rejected(t, body);
    t.true(message.startsWith('Failed to parse body into JSON: '), message);
    t.true(message.length > 'Failed to parse body into JSON: '.length, message);
  }
});

test('JSON › decodeCallJson refuses a body that is not UTF-8 as unparsable JSON', (t) => {
  const err = t.throws(() => decodeCallJson(Uint8Array.of(0x7b, 0xff, 0xfe, 0x7d)), {
    instanceOf: CallRejected,
  });
  t.is(err?.status, 400);
  t.true(err?.message.startsWith('Failed to parse body into JSON: '));
});

test('JSON › decodeCallJson refuses a JSON value that is not an object', (t) => {
  for (const body of ['[]', '"TEARDOWN"', '42', 'null', 'true']) {
    t.true(rejected(t, body).startsWith(CONVERT), body);
  }
});

test('JSON › decodeCallJson refuses an enum given as a JSON number', (t) => {
  t.is(
    rejected(t, '{"type":2,"framework_id":{"value":"f"}}'),
    `${CONVERT}Not expecting a JSON number for field 'type'`,
  );
  const nested =
    '{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u","name":"n","capabilities":[{"type":6}]}}}';
  t.is(rejected(t, nested), `${CONVERT}Not expecting a JSON number for field 'type'`);
});

test('JSON › decodeCallJson refuses a string where an object is expected', (t) => {
  t.is(
    rejected(t, `{"type":"TEARDOWN","framework_id":"${FW}"}`),
    `${CONVERT}Not expecting a JSON string for field 'framework_id'`,
  );
  t.true(
    rejected(t, '{"type":"KILL","framework_id":{"value":"f"},"kill":{"task_id":"t"}}').startsWith(CONVERT),
  );
});

test('JSON › decodeCallJson refuses an array for a non-repeated field', (t) => {
  t.is(
    rejected(t, '{"type":"TEARDOWN","framework_id":[{"value":"f"}]}'),
    `${CONVERT}Not expecting a JSON array for field 'framework_id'`,
  );
  t.true(rejected(t, '{"type":["TEARDOWN"],"framework_id":{"value":"f"}}').startsWith(CONVERT));
  t.true(
    rejected(t, '{"type":"KILL","framework_id":{"value":"f"},"kill":[{"task_id":{"value":"t"}}]}').startsWith(
      CONVERT,
    ),
  );
});

test('JSON › decodeCallJson refuses an object or a non-numeric string for a number', (t) => {
  const decline = (filters: string) =>
    `{"type":"DECLINE","framework_id":{"value":"f"},"decline":{"offer_ids":[{"value":"o"}],"filters":${filters}}}`;
  t.true(rejected(t, decline('{"refuse_seconds":{}}')).startsWith(CONVERT));
  t.true(rejected(t, decline('{"refuse_seconds":"soon"}')).startsWith(CONVERT));
  t.true(rejected(t, decline('{"refuse_seconds":true}')).startsWith(CONVERT));
});

test('JSON › decodeCallJson refuses bad base64 in a bytes field', (t) => {
  const ack = (uuid: string) =>
    `{"framework_id":{"value":"f"},"type":"ACKNOWLEDGE","acknowledge":{"agent_id":{"value":"a"},"task_id":{"value":"t"},"uuid":"${uuid}"}}`;
  for (const uuid of ['not base64!', '%%%%', 'jVuXL0yIRpqMq4TnAUkVPw=!']) {
    t.is(rejected(t, ack(uuid)), `${CONVERT}Failed to base64 decode bytes field 'uuid'`, uuid);
  }
  const message = `{"framework_id":{"value":"f"},"type":"MESSAGE","message":{"agent_id":{"value":"a"},"executor_id":{"value":"e"},"data":"@@@@"}}`;
  t.is(rejected(t, message), `${CONVERT}Failed to base64 decode bytes field 'data'`);
});

test('JSON › decodeCallJson refuses a KILL without task_id, naming the path', (t) => {
  t.is(rejected(t, '{"framework_id":{"value":"f"},"type":"KILL","kill":{}}'), `${MISSING}kill.task_id`);
});

test('JSON › decodeCallJson names every missing required field with its full path', (t) => {
  t.deepEqual(
    missingPaths(t, '{"framework_id":{"value":"f"},"type":"ACKNOWLEDGE","acknowledge":{"agent_id":{}}}'),
    ['acknowledge.agent_id.value', 'acknowledge.task_id', 'acknowledge.uuid'],
  );
  t.deepEqual(missingPaths(t, '{"type":"SUBSCRIBE","subscribe":{"framework_info":{"roles":["lab"]}}}'), [
    'subscribe.framework_info.name',
    'subscribe.framework_info.user',
  ]);
  t.deepEqual(missingPaths(t, '{"type":"SUBSCRIBE","subscribe":{}}'), ['subscribe.framework_info']);
});

test('JSON › decodeCallJson names a missing field inside a repeated message with its index', (t) => {
  t.deepEqual(
    missingPaths(
      t,
      '{"framework_id":{"value":"f"},"type":"RECONCILE","reconcile":{"tasks":[{"task_id":{"value":"t"}},{"agent_id":{"value":"a"}}]}}',
    ),
    ['reconcile.tasks[1].task_id'],
  );
  t.deepEqual(
    missingPaths(
      t,
      '{"framework_id":{"value":"f"},"type":"ACCEPT","accept":{"offer_ids":[{"value":"o"}],"operations":[{"type":"LAUNCH","launch":{"task_infos":[{"task_id":{"value":"t"},"agent_id":{"value":"a"}}]}}]}}',
    ),
    ['accept.operations[0].launch.task_infos[0].name'],
  );
});

// ---- decodeCallJson: what the master lets through --------------------------------------------

test('JSON › decodeCallJson ignores unknown keys, including camelCase frameworkId', (t) => {
  t.deepEqual(call('{"type":"TEARDOWN","frameworkId":{"value":"f"}}'), { type: 'TEARDOWN' });
  t.deepEqual(
    call(
      '{"type":"TEARDOWN","frameworkId":{"value":"x"},"framework_id":{"value":"f"},"bogus":[1,{"a":null}],"Type":7}',
    ),
    { type: 'TEARDOWN', framework_id: { value: 'f' } },
  );
  t.deepEqual(
    call(
      '{"framework_id":{"value":"f"},"type":"KILL","kill":{"task_id":{"value":"t","extra":1},"taskId":"u"}}',
    ),
    { framework_id: { value: 'f' }, type: 'KILL', kill: { task_id: { value: 't' } } },
  );
});

test('JSON › decodeCallJson treats null as unset', (t) => {
  t.deepEqual(call('{"type":"TEARDOWN","framework_id":null}'), { type: 'TEARDOWN' });
  t.deepEqual(
    call(
      '{"framework_id":{"value":"f"},"type":"DECLINE","decline":{"offer_ids":[{"value":"o"}],"filters":null}}',
    ),
    { framework_id: { value: 'f' }, type: 'DECLINE', decline: { offer_ids: [{ value: 'o' }] } },
  );
  t.deepEqual(call('{"framework_id":{"value":"f"},"type":"REVIVE","revive":{"roles":null}}'), {
    framework_id: { value: 'f' },
    type: 'REVIVE',
    revive: {},
  });
});

test('JSON › decodeCallJson treats null on a required field as missing', (t) => {
  t.is(
    rejected(t, '{"framework_id":{"value":"f"},"type":"KILL","kill":{"task_id":null}}'),
    `${MISSING}kill.task_id`,
  );
});

test('JSON › decodeCallJson accepts numeric strings for numbers', (t) => {
  const decline = (seconds: string) =>
    call(
      `{"framework_id":{"value":"f"},"type":"DECLINE","decline":{"offer_ids":[{"value":"o"}],"filters":{"refuse_seconds":${seconds}}}}`,
    );
  t.like(decline('"600"'), { decline: { filters: { refuse_seconds: 600 } } });
  t.like(decline('"1.5"'), { decline: { filters: { refuse_seconds: 1.5 } } });
  t.like(decline('"Infinity"'), { decline: { filters: { refuse_seconds: Number.POSITIVE_INFINITY } } });
  t.like(decline('"-Infinity"'), { decline: { filters: { refuse_seconds: Number.NEGATIVE_INFINITY } } });
  t.like(call(KILL_JSON.replace('5000000000', '"5000000000"')), {
    kill: { kill_policy: { grace_period: { nanoseconds: '5000000000' } } },
  });
  const accept = call(ACCEPT_JSON.replace('"host_port": 31000', '"host_port": "31000"'));
  t.deepEqual(accept, ACCEPT);
  t.deepEqual(call(ACCEPT_JSON.replace('"begin": 31000', '"begin": "31000"')), ACCEPT);
});

test('JSON › decodeCallJson accepts "true" and "false" for booleans', (t) => {
  const subscribe = (checkpoint: string) =>
    call(
      `{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u","name":"n","checkpoint":${checkpoint}}}}`,
    );
  t.like(subscribe('"true"'), { subscribe: { framework_info: { checkpoint: true } } });
  t.like(subscribe('"false"'), { subscribe: { framework_info: { checkpoint: false } } });
  t.like(subscribe('true'), { subscribe: { framework_info: { checkpoint: true } } });
  t.deepEqual(call(ACCEPT_JSON.replace('"shell": false', '"shell": "false"')), ACCEPT);
  t.true(
    rejected(t, SUBSCRIBE_JSON.replace('"checkpoint": true', '"checkpoint": "yes"')).startsWith(CONVERT),
  );
});

test('JSON › decodeCallJson drops an unknown enum name on an optional field', (t) => {
  t.deepEqual(call('{"framework_id":{"value":"f"},"type":"NOT_A_CALL"}'), { framework_id: { value: 'f' } });
  const subscribe = call(
    '{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u","name":"n","capabilities":[{"type":"NOT_A_CAPABILITY"},{"type":"MULTI_ROLE"}]}}}',
  );
  t.deepEqual(subscribe, {
    type: 'SUBSCRIBE',
    subscribe: { framework_info: { user: 'u', name: 'n', capabilities: [{}, { type: 'MULTI_ROLE' }] } },
  });
  const accept = call(ACCEPT_JSON.replace('"network": "BRIDGE"', '"network": "OVERLAY"'));
  const docker = accept.type === 'ACCEPT' ? accept.accept.operations[0]?.launch.task_infos[0] : undefined;
  t.false('network' in (docker?.container?.docker ?? { network: 'missing docker' }));
  t.is(docker?.container?.docker?.image, 'registry.lab:5000/analytics/batch-runner:2.3');
});

test('JSON › decodeCallJson refuses an unknown enum name on a required field', (t) => {
  t.true(rejected(t, ACCEPT_JSON.replace('"mode": "RO"', '"mode": "READ_ONLY"')).startsWith(CONVERT));
});

// ---- the JSON codec and Content-Type ----------------------------------------------------------

test('JSON › codecFor("json") is the JSON mapping under the application/json content type', (t) => {
  const codec = codecFor('json');
  t.is(codec.format, 'json');
  t.is(codec.contentType, 'application/json');
  t.is(text(codec.encodeCall(KILL)), KILL_JSON);
  t.deepEqual(codec.decodeEvent(utf8(OFFERS_JSON)), OFFERS);
  t.deepEqual(codec.decodeCall(utf8(ACCEPT_JSON)), ACCEPT);
  t.is(text(codec.encodeEvent({ type: 'HEARTBEAT' })), HEARTBEAT_JSON);
});

test('JSON › formatOfContentType matches the whole Content-Type string exactly (§1.2)', (t) => {
  t.is(formatOfContentType(CONTENT_TYPES.json), 'json');
  t.is(formatOfContentType('application/json'), 'json');
  t.is(formatOfContentType('application/x-protobuf'), 'protobuf');
  for (const value of [
    'application/json; charset=utf-8',
    'Application/JSON',
    'application/json ',
    'text/json',
    'application/protobuf',
    '',
    undefined,
  ]) {
    t.is(formatOfContentType(value), undefined, String(value));
  }
});
