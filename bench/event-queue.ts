import { EventQueue } from '../sim/engine/event-queue.ts';
import { SeededRandom } from '../src/adapters/seeded-random.ts';
import { NaiveEventQueue } from './naive-event-queue.ts';

interface Queue {
  push(time: number, payload: number): void;
  pop(): number | undefined;
}

/**
 * The hold model: fill the queue with `pending` events, then `steps` times pop the earliest and
 * push a new one at its time plus a random delay (each payload is its own time). Returns events
 * per second.
 */
function hold(queue: Queue, pending: number, steps: number, delays: Float64Array): number {
  for (let i = 0; i < pending; i++)
    queue.push(delays[i % delays.length] as number, delays[i % delays.length] as number);
  const start = performance.now();
  for (let i = 0; i < steps; i++) {
    const now = queue.pop() as number;
    const next = now + (delays[i % delays.length] as number);
    queue.push(next, next);
  }
  return steps / ((performance.now() - start) / 1000);
}

export interface QueueFigures {
  pending: number;
  eventsPerSecond: number;
  naiveEventsPerSecond: number;
  ratio: number;
}

export function measureEventQueue(pending: number, steps: number): QueueFigures {
  const rng = new SeededRandom('event-queue');
  const delays = new Float64Array(1 << 20);
  for (let i = 0; i < delays.length; i++) delays[i] = Math.floor(-Math.log(1 - rng.next()) * 1000);
  hold(new EventQueue<number>(), 10_000, 200_000, delays);
  hold(new NaiveEventQueue<number>(), 10_000, 200_000, delays);
  const ours = hold(new EventQueue<number>(pending), pending, steps, delays);
  const naive = hold(new NaiveEventQueue<number>(), pending, steps, delays);
  return { pending, eventsPerSecond: ours, naiveEventsPerSecond: naive, ratio: ours / naive };
}
