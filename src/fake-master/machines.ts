import type { MachineDelays } from '../../sim/cluster/provisioner.ts';
import { parseRanges } from '../core/model/resources.ts';
import type { NodeRequest } from '../ports/provisioner.ts';

/**
 * `POST /offerlab/machines`: a pool machine for the simulated cluster, as an offerlab scheduler's
 * pool asks for it when its pool has no `provision_command` (see `pools/fake-master-provisioner.ts`):
 *
 *   {"pool": "burst", "hostname": "burst-3",
 *    "template": {"cpus": 8, "mem": 16384, "disk": 0, "ports": "31000-32000", "attributes": {…}},
 *    "bootDelayMs": 60000, "readyDelayMs": 15000}
 *
 * The answer comes once the machine has booted (simulated time); its agent registers
 * `readyDelayMs` later. `DELETE /offerlab/machines/<hostname>` removes it.
 */
export interface MachineOrder {
  readonly request: NodeRequest;
  readonly delays: MachineDelays;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;

function nonNegative(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0;
}

/** Validates an order; a string says what is wrong. */
export function parseMachineOrder(body: unknown): MachineOrder | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return 'the body must be a JSON object';
  const b = body as Record<string, unknown>;
  if (typeof b.pool !== 'string' || !NAME.test(b.pool)) return 'pool must be a name';
  if (typeof b.hostname !== 'string' || !NAME.test(b.hostname)) return 'hostname must be a host name';
  const t = b.template as Record<string, unknown> | undefined;
  if (typeof t !== 'object' || t === null) return 'template must be an object';
  if (!(nonNegative(t.cpus) && t.cpus > 0 && nonNegative(t.mem) && t.mem > 0 && nonNegative(t.disk)))
    return 'template needs cpus and mem above 0 and disk of 0 or more';
  const ports = typeof t.ports === 'string' ? t.ports : '';
  if (ports !== '' && parseRanges(ports) === undefined)
    return `template.ports must be port ranges, got "${ports}"`;
  const attributes: Record<string, string> = {};
  for (const [k, v] of Object.entries((t.attributes as Record<string, unknown> | undefined) ?? {})) {
    if (typeof v !== 'string') return `template.attributes.${k} must be a string`;
    attributes[k] = v;
  }
  const bootDelayMs = b.bootDelayMs ?? 0;
  const readyDelayMs = b.readyDelayMs ?? 0;
  if (!nonNegative(bootDelayMs) || !nonNegative(readyDelayMs))
    return 'bootDelayMs and readyDelayMs must be milliseconds, 0 or more';
  return {
    request: {
      pool: b.pool,
      hostname: b.hostname,
      template: { cpus: t.cpus, mem: t.mem, disk: t.disk, ports, attributes },
    },
    delays: { bootDelayMs: Math.round(bootDelayMs), readyDelayMs: Math.round(readyDelayMs) },
  };
}
