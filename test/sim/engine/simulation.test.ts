import test from 'ava';
import { Simulation } from '../../../sim/engine/simulation.ts';

test('Simulation › starts at time 0 with nothing pending', (t) => {
  const sim = new Simulation();
  t.is(sim.now(), 0);
  t.is(sim.pending, 0);
  t.is(sim.processed, 0);
});

test('Simulation › runUntil runs the events due at or before the end and advances the time to the end', (t) => {
  const sim = new Simulation();
  const ran: [string, number][] = [];
  sim.at(100, () => ran.push(['a', sim.now()]));
  sim.at(250, () => ran.push(['b', sim.now()]));
  sim.at(251, () => ran.push(['c', sim.now()]));
  t.is(sim.runUntil(250), 2);
  t.deepEqual(ran, [
    ['a', 100],
    ['b', 250],
  ]);
  t.is(sim.now(), 250);
  t.is(sim.pending, 1, 'the event after the end waits');
  t.is(sim.runUntil(1000), 1);
  t.deepEqual(ran.at(-1), ['c', 251]);
  t.is(sim.now(), 1000);
  t.is(sim.processed, 3);
});

test('Simulation › runUntil moves the time to the end even when no event is due', (t) => {
  const sim = new Simulation();
  sim.at(5000, () => {});
  t.is(sim.runUntil(1234), 0);
  t.is(sim.now(), 1234);
  t.is(sim.runUntil(1000), 0, 'an earlier end runs nothing');
  t.is(sim.now(), 1234, 'time never goes back');
});

test('Simulation › runs events at the same time in the order they were scheduled', (t) => {
  const sim = new Simulation();
  const ran: string[] = [];
  sim.at(10, () => ran.push('first'));
  sim.after(10, () => ran.push('second'));
  sim.at(5, () => ran.push('earlier'));
  sim.at(10, () => ran.push('third'));
  sim.runUntil(10);
  t.deepEqual(ran, ['earlier', 'first', 'second', 'third']);
});

test('Simulation › runs events that handlers schedule inside the window, and relative to the current time', (t) => {
  const sim = new Simulation();
  const ran: [string, number][] = [];
  sim.at(100, () => {
    ran.push(['outer', sim.now()]);
    sim.after(0, () => ran.push(['same-time', sim.now()]));
    sim.after(50, () => ran.push(['later', sim.now()]));
    sim.after(500, () => ran.push(['outside', sim.now()]));
  });
  t.is(sim.runUntil(200), 3);
  t.deepEqual(ran, [
    ['outer', 100],
    ['same-time', 100],
    ['later', 150],
  ]);
  t.is(sim.pending, 1);
});

test('Simulation › never schedules an event in the past', (t) => {
  const sim = new Simulation();
  sim.runUntil(1000);
  const at: number[] = [];
  sim.at(400, () => at.push(sim.now()));
  sim.after(-50, () => at.push(sim.now()));
  t.is(sim.runUntil(1000), 2, 'both run at the current time');
  t.deepEqual(at, [1000, 1000]);
});

test('Simulation › calls onEvent after each event with its time', (t) => {
  const sim = new Simulation();
  const log: string[] = [];
  sim.at(3, () => log.push('e3'));
  sim.at(7, () => log.push('e7'));
  sim.runUntil(10, (now) => log.push(`after@${now}`));
  t.deepEqual(log, ['e3', 'after@3', 'e7', 'after@7']);
});

test('Simulation › clock timers fire at their time and follow the simulated clock', (t) => {
  const sim = new Simulation();
  const clock = sim.clock();
  const fired: number[] = [];
  clock.setTimer(300, () => fired.push(clock.now()));
  clock.setTimer(100, () => fired.push(clock.now()));
  sim.runUntil(299);
  t.deepEqual(fired, [100]);
  t.is(clock.now(), 299);
  sim.runUntil(300);
  t.deepEqual(fired, [100, 300]);
});

test('Simulation › clock timers can be cancelled before they fire', (t) => {
  const sim = new Simulation();
  const clock = sim.clock();
  const fired: string[] = [];
  const keep = clock.setTimer(100, () => fired.push('keep'));
  const drop = clock.setTimer(100, () => fired.push('drop'));
  const late = clock.setTimer(500, () => fired.push('late'));
  t.not(keep, drop, 'every timer has its own handle');
  clock.cancelTimer(drop);
  sim.runUntil(200);
  clock.cancelTimer(late);
  sim.runUntil(1000);
  t.deepEqual(fired, ['keep']);
});

test('Simulation › a timer set in the past fires at the current time', (t) => {
  const sim = new Simulation();
  const clock = sim.clock();
  sim.runUntil(500);
  let firedAt = -1;
  clock.setTimer(10, () => {
    firedAt = clock.now();
  });
  sim.runUntil(500);
  t.is(firedAt, 500);
});
