import type { AcceptCall, OffersEvent } from '../../src/core/mesos/v1.ts';

/**
 * The placeholders and examples of the protocol reference's §6, as offerlab's objects: the codec
 * tests check them against the reference's bytes, and the transport and decoder tests reuse them.
 */
export const MASTER = '7c2a4f3e-9b1d-4c8e-a5f6-0d1e2f3a4b5c';
export const FW = `${MASTER}-0000`;
export const S0 = `${MASTER}-S0`;
export const S1 = `${MASTER}-S1`;
export const TASK = 'analytics-worker.5b1c9e';
export const UUID = 'jVuXL0yIRpqMq4TnAUkVPw==';

/** Unreserved resources offered to a MULTI_ROLE framework in role `lab`. */
const lab = { role: '*', allocation_info: { role: 'lab' } };

/** §6.3: two offers, the second with an executor and an unavailability above 2^53 ns. */
export const OFFERS_6_3: OffersEvent = {
  type: 'OFFERS',
  offers: {
    offers: [
      {
        id: { value: `${MASTER}-O41` },
        framework_id: { value: FW },
        agent_id: { value: S0 },
        hostname: 'node-a.lab',
        url: {
          scheme: 'http',
          address: { hostname: 'node-a.lab', ip: '10.0.0.11', port: 5051 },
          path: '/slave(1)',
        },
        resources: [
          { name: 'cpus', type: 'SCALAR', scalar: { value: 8 }, ...lab },
          { name: 'mem', type: 'SCALAR', scalar: { value: 30720 }, ...lab },
          { name: 'disk', type: 'SCALAR', scalar: { value: 200000 }, ...lab },
          {
            name: 'ports',
            type: 'RANGES',
            ranges: {
              range: [
                { begin: 31000, end: 31099 },
                { begin: 31200, end: 32000 },
              ],
            },
            ...lab,
          },
        ],
        attributes: [
          { name: 'nodetype', type: 'TEXT', text: { value: 'lab' } },
          { name: 'rack', type: 'TEXT', text: { value: 'r12' } },
          { name: 'cores', type: 'SCALAR', scalar: { value: 16 } },
        ],
        allocation_info: { role: 'lab' },
      },
      {
        id: { value: `${MASTER}-O42` },
        framework_id: { value: FW },
        agent_id: { value: S1 },
        hostname: 'node-b.lab',
        url: {
          scheme: 'http',
          address: { hostname: 'node-b.lab', ip: '10.0.0.12', port: 5051 },
          path: '/slave(1)',
        },
        resources: [
          { name: 'cpus', type: 'SCALAR', scalar: { value: 3.5 }, ...lab },
          { name: 'mem', type: 'SCALAR', scalar: { value: 7168 }, ...lab },
          { name: 'disk', type: 'SCALAR', scalar: { value: 50000 }, ...lab },
          { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31000, end: 32000 }] }, ...lab },
        ],
        attributes: [{ name: 'nodetype', type: 'TEXT', text: { value: 'lab' } }],
        executor_ids: [{ value: 'lab-custom-executor-3' }],
        unavailability: {
          start: { nanoseconds: '1718006400123456789' },
          duration: { nanoseconds: '3600000000000' },
        },
        allocation_info: { role: 'lab' },
      },
    ],
  },
};

/** §6.4: LAUNCH of a Docker task with bridge networking, port mappings, volumes and arguments. */
export const ACCEPT_6_4: AcceptCall = {
  framework_id: { value: FW },
  type: 'ACCEPT',
  accept: {
    offer_ids: [{ value: `${MASTER}-O41` }],
    operations: [
      {
        type: 'LAUNCH',
        launch: {
          task_infos: [
            {
              name: 'analytics-worker',
              task_id: { value: TASK },
              agent_id: { value: S0 },
              resources: [
                { name: 'cpus', type: 'SCALAR', scalar: { value: 2 }, ...lab },
                { name: 'mem', type: 'SCALAR', scalar: { value: 4096 }, ...lab },
                { name: 'disk', type: 'SCALAR', scalar: { value: 1024 }, ...lab },
                { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31000, end: 31001 }] }, ...lab },
              ],
              command: {
                shell: false,
                arguments: ['--threads', '4', '--input', '/data/set1', '--listen', '0.0.0.0:8080'],
                environment: {
                  variables: [
                    { name: 'RUN_MODE', value: 'batch' },
                    { name: 'PORT0', value: '31000' },
                  ],
                },
                uris: [{ value: 'http://artifacts.lab/config/runner.yaml', extract: false, cache: true }],
              },
              container: {
                type: 'DOCKER',
                docker: {
                  image: 'registry.lab:5000/analytics/batch-runner:2.3',
                  network: 'BRIDGE',
                  port_mappings: [
                    { host_port: 31000, container_port: 8080, protocol: 'tcp' },
                    { host_port: 31001, container_port: 9090, protocol: 'tcp' },
                  ],
                  privileged: false,
                  force_pull_image: false,
                  parameters: [
                    { key: 'label', value: 'team=lab' },
                    { key: 'shm-size', value: '256m' },
                  ],
                },
                volumes: [
                  { container_path: '/data', host_path: '/srv/datasets', mode: 'RO' },
                  { container_path: '/scratch', host_path: 'scratch', mode: 'RW' },
                ],
              },
              kill_policy: { grace_period: { nanoseconds: '30000000000' } },
              labels: { labels: [{ key: 'app', value: 'analytics' }] },
            },
          ],
        },
      },
    ],
    filters: { refuse_seconds: 30 },
  },
};
