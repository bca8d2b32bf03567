import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { GatedProvisioner } from '../../src/daemon/gated-provisioner.ts';
import type { NodeRequest, Provisioner, ProvisionResult } from '../../src/ports/provisioner.ts';
import { Journal } from '../../src/store/journal.ts';

const REQUEST: NodeRequest = {
  pool: 'burst',
  hostname: 'burst-1',
  template: { cpus: 1, mem: 512, disk: 0, ports: '', attributes: {} },
};

test('gated provisioner › a machine is ordered only once the records before it are on disk', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'offerlab-gated-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const { journal } = await Journal.open<{ n: number }, unknown>(dir);
  t.teardown(() => journal.close());
  const seen: { action: string; synced: number }[] = [];
  // The machines side: notes how much of the journal was on disk when each order reached it.
  const machines: Provisioner = {
    provision: (_r, done) => {
      seen.push({ action: 'provision', synced: journal.syncedSeq });
      done({ ok: true });
    },
    destroy: (_r, done) => {
      seen.push({ action: 'destroy', synced: journal.syncedSeq });
      done({ ok: true });
    },
    stop: async () => undefined,
  };
  const gated = new GatedProvisioner(machines, journal);
  const first = journal.append({ n: 1 });
  const provisioned = new Promise<ProvisionResult>((resolve) => gated.provision(REQUEST, resolve));
  t.deepEqual(seen, [], 'nothing leaves before the sync');
  const second = journal.append({ n: 2 });
  const destroyed = new Promise<ProvisionResult>((resolve) => gated.destroy(REQUEST, resolve));
  t.deepEqual(await provisioned, { ok: true });
  t.deepEqual(await destroyed, { ok: true });
  t.true((seen[0]?.synced ?? 0) >= first);
  t.true((seen[1]?.synced ?? 0) >= second);
});
