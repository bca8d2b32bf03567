import type { Command } from 'commander';
import { setPaused, status } from './cluster-commands.ts';
import { nodeAction, nodeGet } from './node-commands.ts';
import { type ClientOptions, withClientOptions } from './options.ts';
import { taskGet, taskKill, taskSubmit, taskWhy } from './task-commands.ts';

/**
 * The terminal client: `task`, `node`, `status`, `pause`, `resume`, each talking to a running
 * `offerlab serve` over its REST API.
 */
export function registerClientCommands(program: Command): void {
  const task = program
    .command('task')
    .description('client: submit, list, explain and kill tasks on a running offerlab serve');
  withClientOptions(
    task
      .command('submit')
      .description('submit a task spec (JSON or YAML, one spec or a list; - reads stdin)')
      .argument('<file>', 'spec file, or - for stdin')
      .option('--count <n>', 'submit it n times', '1'),
  ).action(async (file: string, opts: ClientOptions & { count: string }) => {
    await taskSubmit(file, opts);
  });
  withClientOptions(
    task
      .command('get')
      .description('list active tasks (queued and launched)')
      .argument('[prefix]', 'only tasks whose task id starts with this'),
  ).action(async (prefix: string | undefined, opts: ClientOptions) => {
    await taskGet(prefix, opts);
  });
  withClientOptions(
    task
      .command('why')
      .description('where a task runs, or why it is still pending')
      .argument('<task>', 'task id (or spec id)'),
  ).action(async (id: string, opts: ClientOptions) => {
    await taskWhy(id, opts);
  });
  withClientOptions(
    task
      .command('kill')
      .description('kill every live task whose task id starts with the prefix')
      .argument('<prefix>', 'task id or a prefix of one (a spec id kills all its copies)'),
  ).action(async (prefix: string, opts: ClientOptions) => {
    await taskKill(prefix, opts);
  });

  const node = program.command('node').description('client: list agents; hold, unhold or vacate one');
  withClientOptions(
    node
      .command('get')
      .description('list agents with their tasks and resources')
      .argument('[hostname]', 'only this agent'),
  ).action(async (hostname: string | undefined, opts: ClientOptions) => {
    await nodeGet(hostname, opts);
  });
  const actions = {
    hold: 'stop placing new tasks on an agent (running tasks stay)',
    unhold: 'place tasks on a held agent again',
    vacate: 'kill every task on an agent (hold it first to keep new ones away)',
  } as const;
  for (const [action, description] of Object.entries(actions)) {
    withClientOptions(
      node.command(action).description(description).argument('<hostname>', 'agent hostname'),
    ).action(async (hostname: string, opts: ClientOptions) => {
      await nodeAction(action as keyof typeof actions, hostname, opts);
    });
  }

  withClientOptions(
    program
      .command('status')
      .description('client: master, scheduler, queue depth and resources in a few lines'),
  ).action(async (opts: ClientOptions) => {
    await status(opts);
  });
  withClientOptions(
    program
      .command('pause')
      .description('client: pause the scheduler (nothing new is launched; queued tasks wait)'),
  ).action(async (opts: ClientOptions) => {
    await setPaused(true, opts);
  });
  withClientOptions(program.command('resume').description('client: resume the scheduler after pause')).action(
    async (opts: ClientOptions) => {
      await setPaused(false, opts);
    },
  );
}
