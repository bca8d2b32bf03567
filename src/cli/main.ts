import { Command, CommanderError, Option } from 'commander';
import { ScenarioError } from '../scenario/load.ts';
import { registerClientCommands } from './client/commands.ts';
import { compareCommand } from './compare-command.ts';
import { EXIT, UsageError } from './errors.ts';
import { registerEtlCommand } from './etl-command.ts';
import { fakeMasterCommand } from './fake-master-command.ts';
import { runCommand } from './run-command.ts';
import { serveCommand } from './serve-command.ts';

const program = new Command();
program
  .name('offerlab')
  .description('Design, test and run Mesos scheduling policies: simulate first, then run live.')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

program
  .command('run')
  .description(
    'run scenario files and print a summary (exit 0 ok, 2 an expectation or invariant failed, 1 error)',
  )
  .argument('<file...>', 'scenario files (YAML or JSON)')
  .option('--seed <n>', "seed (default: the scenario's seed)")
  .option(
    '--policy <name>',
    'policy bundle: first-fit | bin-pack | spread | charmander, or combined like bin-pack+charmander',
  )
  .option(
    '--trace <out.jsonl>',
    'write the trace (JSON Lines); with several files the scenario name is added',
  )
  .option('--json <out.json>', 'write the full result as JSON')
  .addOption(new Option('--transport <kind>', 'where to run').choices(['sim', 'http']).default('sim'))
  .option('--master <host:port,...>', 'Mesos masters for --transport=http')
  .addOption(
    new Option('--content-type <format>', 'wire format for --transport=http')
      .choices(['json', 'protobuf'])
      .default('json'),
  )
  .option('--principal <name>', 'Mesos HTTP authentication principal (or OFFERLAB_MESOS_PRINCIPAL)')
  .option(
    '--secret-file <path>',
    'file holding the Mesos secret (or OFFERLAB_MESOS_SECRET; never on the command line)',
  )
  .option(
    '--speed <n>',
    'with --transport=http: run the scenario clock n times faster (against a fake master at the same speed)',
  )
  .option('--no-teardown', 'with --transport=http: leave the framework and its tasks running at the end')
  .option('-q, --quiet', 'print no summary (exit code only)')
  .action(async (files: string[], opts) => {
    process.exitCode = await runCommand(files, opts);
  });

program
  .command('compare')
  .description('run one scenario under several policies and seeds; print one table of metrics')
  .argument('<file>', 'scenario file')
  .requiredOption('--policies <a,b,...>', 'policy bundles to compare, e.g. first-fit,bin-pack,spread')
  .option('--seeds <range>', 'seeds: 1..20, 3,5,8 or 7', '1..20')
  .option('--json <out.json>', 'write the comparison as JSON')
  .action(async (file: string, opts) => {
    process.exitCode = await compareCommand(file, opts);
  });

program
  .command('fake-master')
  .description(
    'the simulated cluster behind the real Mesos v1 scheduler HTTP API, on loopback; runs until interrupted',
  )
  .option(
    '--port <n>',
    'port of the first master (the others take the next ones; 0 picks free ports)',
    '5050',
  )
  .option('--host <address>', 'address to listen on', '127.0.0.1')
  .option('--masters <n>', 'number of masters: one leads, the others answer 307', '1')
  .option('--cluster <file>', "run this scenario's cluster: agents, agents joining later, faults")
  .option('--speed <n>', 'simulated time runs n times faster than the wall clock', '1')
  .option('--seed <n>', "seed for ids and timings (default: the scenario's seed)")
  .option('--credentials <file>', 'require HTTP Basic authentication; one "principal secret" per line')
  .action(async (opts) => {
    process.exitCode = await fakeMasterCommand(opts);
  });

program
  .command('serve')
  .description('the scheduler daemon: Charmander, Scale and Dynamic Cluster REST APIs, durable state')
  .option('--transport <sim|http>', 'sim: a simulated cluster in this process; http: a Mesos master', 'sim')
  .option('--master <host:port,...>', 'Mesos masters for --transport=http')
  .option(
    '--cluster <file>',
    "a scenario's cluster: with --transport=sim run it (agents, pools, faults); with http use its pools",
  )
  .option('--speed <n>', 'with --transport=sim: simulated time runs n times faster', '1')
  .option('--port <port>', 'REST API port', '7075')
  .option('--host <address>', 'address to listen on', '127.0.0.1')
  .option('--state-dir <dir>', 'keep the journal and snapshots here (survives restarts and kill -9)')
  .option('--placement <name>', 'placement scorer: first-fit, bin-pack, spread or usage-aware')
  .option('--content-type <json|protobuf>', 'Mesos API encoding', 'json')
  .option('--principal <name>', 'Mesos HTTP authentication principal (or OFFERLAB_MESOS_PRINCIPAL)')
  .option('--secret-file <file>', 'file holding the Mesos secret (or OFFERLAB_MESOS_SECRET)')
  .option('--token-file <file>', 'require bearer tokens: lines "admin <token>" and "read <token>"')
  .option('--metering <interval>', "read agents' /monitor/statistics this often (or off)", '15s')
  .option('--sizing <mode>', 'right-size tasks from observed usage: off, charmander or p99-window')
  .option(
    '--reshuffle <strategy>',
    'default reshuffle: charmander, planned, right-size, consolidate, rebalance',
  )
  .action(async (opts) => {
    process.exitCode = await serveCommand(opts);
  });

// `offerlab etl`: mesos-http-scheduler's ETL loop (its own file: it also takes Go-style flags).
registerEtlCommand(program);

// The terminal client: task, node, status, pause, resume (against a running `offerlab serve`).
registerClientCommands(program);

async function main(): Promise<void> {
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.error;
      return;
    }
    if (err instanceof ScenarioError || err instanceof UsageError) {
      process.stderr.write(`offerlab: ${err.message}\n`);
    } else {
      const e = err as Error;
      process.stderr.write(`offerlab: internal error: ${e.message}\n`);
      if (process.env.OFFERLAB_DEBUG) process.stderr.write(`${e.stack ?? ''}\n`);
      else process.stderr.write('offerlab: set OFFERLAB_DEBUG=1 to see where it happened\n');
    }
    process.exitCode = EXIT.error;
  }
}

await main();
