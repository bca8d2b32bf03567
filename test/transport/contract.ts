import test from 'ava';
import type { AcceptCall, Call, Event, Offer, SubscribeCall, TaskStatus } from '../../src/core/mesos/v1.ts';
import type { Transport, TransportListener } from '../../src/ports/transport.ts';

/** A transport wired to a (simulated or fake) master, and a way to let that world's time pass. */
export interface ContractWorld {
  readonly transport: Transport;
  /** Lets world time pass until `cond()` holds; fails after `maxMs` of world time. */
  until(cond: () => boolean, maxMs: number, what: string): Promise<void>;
  /** The leading master fails; a leader is back after `downMs`. */
  failover(downMs: number): void;
  close(): Promise<void>;
}

/** Everything a listener heard, in order. */
export class Recorder implements TransportListener {
  readonly log: string[] = [];
  readonly events: Event[] = [];
  readonly failures: string[] = [];
  connectedCount = 0;
  disconnectedCount = 0;
  connected(): void {
    this.connectedCount++;
    this.log.push('connected');
  }
  disconnected(reason: string): void {
    this.disconnectedCount++;
    this.log.push(`disconnected: ${reason}`);
  }
  received(event: Event): void {
    this.events.push(event);
    this.log.push(event.type);
  }
  callFailed(call: Call, message: string): void {
    this.failures.push(`${call.type}: ${message}`);
  }
  offers(): Offer[] {
    return this.events.flatMap((e) => (e.type === 'OFFERS' ? e.offers.offers : []));
  }
  statuses(task: string): TaskStatus[] {
    return this.events.flatMap((e) =>
      e.type === 'UPDATE' && e.update.status.task_id.value === task ? [e.update.status] : [],
    );
  }
  frameworkIds(): string[] {
    return this.events.flatMap((e) => (e.type === 'SUBSCRIBED' ? [e.subscribed.framework_id.value] : []));
  }
}

export function subscribeCall(frameworkId?: string): SubscribeCall {
  const framework_info = {
    user: 'root',
    name: 'contract',
    roles: ['*'],
    failover_timeout: 604800,
    checkpoint: true,
    capabilities: [
      { type: 'MULTI_ROLE' as const },
      { type: 'PARTITION_AWARE' as const },
      { type: 'TASK_KILLING_STATE' as const },
    ],
    ...(frameworkId ? { id: { value: frameworkId } } : {}),
  };
  return frameworkId
    ? { framework_id: { value: frameworkId }, type: 'SUBSCRIBE', subscribe: { framework_info } }
    : { type: 'SUBSCRIBE', subscribe: { framework_info } };
}

function launch(fw: string, offer: Offer, taskId: string): AcceptCall {
  return {
    framework_id: { value: fw },
    type: 'ACCEPT',
    accept: {
      offer_ids: [offer.id],
      operations: [
        {
          type: 'LAUNCH',
          launch: {
            task_infos: [
              {
                name: taskId,
                task_id: { value: taskId },
                agent_id: offer.agent_id,
                resources: [
                  {
                    name: 'cpus',
                    type: 'SCALAR',
                    scalar: { value: 0.5 },
                    role: '*',
                    allocation_info: { role: '*' },
                  },
                  {
                    name: 'mem',
                    type: 'SCALAR',
                    scalar: { value: 128 },
                    role: '*',
                    allocation_info: { role: '*' },
                  },
                ],
                command: { shell: false },
                container: { type: 'DOCKER', docker: { image: 'busybox', network: 'BRIDGE' } },
              },
            ],
          },
        },
      ],
      filters: { refuse_seconds: 0 },
    },
  };
}

function ack(fw: string, s: TaskStatus): Call {
  return {
    framework_id: { value: fw },
    type: 'ACKNOWLEDGE',
    acknowledge: { agent_id: s.agent_id ?? { value: '' }, task_id: s.task_id, uuid: s.uuid ?? '' },
  };
}

/** Starts, subscribes and waits for the first offers. */
async function subscribed(w: ContractWorld, r: Recorder): Promise<string> {
  w.transport.start(r);
  await w.until(() => r.connectedCount > 0, 10_000, 'connected');
  w.transport.send(subscribeCall());
  await w.until(() => r.frameworkIds().length > 0 && r.offers().length > 0, 10_000, 'SUBSCRIBED and OFFERS');
  return r.frameworkIds()[0] as string;
}

/**
 * The Transport contract, one suite for every implementation: what the scheduler may rely on,
 * whether it talks to the simulated cluster in-process or to a master over HTTP.
 */
export function transportContract(name: string, makeWorld: () => Promise<ContractWorld>): void {
  const contract = (title: string, fn: (w: ContractWorld, r: Recorder) => Promise<void>) =>
    test.serial(`${name} › ${title}`, async (t) => {
      const w = await makeWorld();
      const r = new Recorder();
      try {
        await fn(w, r);
        t.pass();
      } finally {
        await w.transport.stop();
        await w.close();
      }
    });

  contract('reports connected, then SUBSCRIBED and a HEARTBEAT come first, then offers', async (w, r) => {
    const fw = await subscribed(w, r);
    const first = r.log.slice(0, 3);
    if (first.join(',') !== 'connected,SUBSCRIBED,HEARTBEAT')
      throw new Error(`began with ${first.join(',')}`);
    if (!/-0000$/.test(fw)) throw new Error(`framework id ${fw}`);
    const offer = r.offers()[0] as Offer;
    if (offer.framework_id.value !== fw || offer.resources.length === 0)
      throw new Error('offer not for this framework');
  });

  contract('reports a call sent before subscribing through callFailed', async (w, r) => {
    w.transport.start(r);
    await w.until(() => r.connectedCount > 0, 10_000, 'connected');
    w.transport.send({ framework_id: { value: 'nobody' }, type: 'REVIVE' });
    await w.until(() => r.failures.length > 0, 10_000, 'callFailed');
  });

  contract('launches a task: STARTING with a uuid first, RUNNING only after the ACK', async (w, r) => {
    const fw = await subscribed(w, r);
    w.transport.send(launch(fw, r.offers()[0] as Offer, 'contract-1'));
    await w.until(() => r.statuses('contract-1').length > 0, 20_000, 'TASK_STARTING');
    const starting = r.statuses('contract-1')[0] as TaskStatus;
    if (starting.state !== 'TASK_STARTING' || starting.uuid?.length !== 24)
      throw new Error(`first update ${JSON.stringify(starting)}`);
    await w
      .until(() => false || r.statuses('contract-1').length > 1, 2_000, 'no RUNNING before the ACK')
      .then(
        () => {
          throw new Error('RUNNING arrived before the ACK');
        },
        () => undefined,
      );
    w.transport.send(ack(fw, starting));
    await w.until(
      () => r.statuses('contract-1').some((s) => s.state === 'TASK_RUNNING'),
      20_000,
      'TASK_RUNNING after the ACK',
    );
  });

  contract('kills a running task: TASK_KILLING then TASK_KILLED', async (w, r) => {
    const fw = await subscribed(w, r);
    w.transport.send(launch(fw, r.offers()[0] as Offer, 'contract-2'));
    const acked = new Set<string>();
    const ackAll = () => {
      for (const s of r.statuses('contract-2')) {
        if (s.uuid && !acked.has(s.uuid)) {
          acked.add(s.uuid);
          w.transport.send(ack(fw, s));
        }
      }
    };
    await w.until(
      () => {
        ackAll();
        return r.statuses('contract-2').some((s) => s.state === 'TASK_RUNNING');
      },
      20_000,
      'running',
    );
    w.transport.send({
      framework_id: { value: fw },
      type: 'KILL',
      kill: { task_id: { value: 'contract-2' } },
    });
    await w.until(
      () => {
        ackAll();
        return r.statuses('contract-2').some((s) => s.state === 'TASK_KILLED');
      },
      20_000,
      'killed',
    );
    const states = r.statuses('contract-2').map((s) => s.state);
    if (!states.includes('TASK_KILLING')) throw new Error(`states ${states.join(',')}`);
  });

  contract('answers an explicit RECONCILE for an unknown task without a uuid', async (w, r) => {
    const fw = await subscribed(w, r);
    w.transport.send({
      framework_id: { value: fw },
      type: 'RECONCILE',
      reconcile: { tasks: [{ task_id: { value: 'ghost' } }] },
    });
    await w.until(() => r.statuses('ghost').length > 0, 10_000, 'reconciliation answer');
    const s = r.statuses('ghost')[0] as TaskStatus;
    if (s.state !== 'TASK_UNKNOWN' || s.reason !== 'REASON_RECONCILIATION' || s.uuid !== undefined) {
      throw new Error(`answer ${JSON.stringify(s)}`);
    }
  });

  contract(
    'survives a master failover: disconnected, connected again, same framework id on resubscription',
    async (w, r) => {
      const fw = await subscribed(w, r);
      w.failover(5_000);
      await w.until(() => r.disconnectedCount > 0, 20_000, 'disconnected');
      await w.until(() => r.connectedCount > 1, 60_000, 'connected to the new leader');
      w.transport.send(subscribeCall(fw));
      await w.until(() => r.frameworkIds().length > 1, 20_000, 'resubscribed');
      if (r.frameworkIds()[1] !== fw) throw new Error(`resubscribed as ${r.frameworkIds()[1]}`);
    },
  );

  contract('hears nothing after stop', async (w, r) => {
    await subscribed(w, r);
    await w.transport.stop();
    const before = r.log.length;
    await w.until(() => false, 3_000, 'silence').catch(() => undefined);
    if (r.log.length !== before) throw new Error(`heard ${r.log.slice(before).join(',')} after stop`);
  });
}
