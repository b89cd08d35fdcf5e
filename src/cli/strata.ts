#!/usr/bin/env node
/**
 * The `strata` command. Commands land as their features do: `start`, `quotas`, `transactions` (over the Kafka protocol,
 * --bootstrap-server), `dump-log` (reads segment files directly).
 * Exit codes: 0 success, 1 the input is damaged or not found (dump-log found a bad batch, a transactional id is
 * unknown), 2 usage error, 3 I/O error (a file, or a broker that cannot be reached).
 */
import { parseArgs } from 'node:util';
import { dumpLog } from './dump-log';
import { startCommand } from './start';
import { transactionsCommand } from './transactions';
import { quotasCommand } from './quotas';
import * as topics from './topics';
import * as configs from './configs';
import * as groups from './groups';
import * as produce from './produce';
import * as consume from './consume';
import * as bench from './bench';

/**
 * Commands that parse their own arguments: `strata <name> ...rest` calls `COMMANDS[name](rest)`, which resolves with
 * the exit code (usage errors thrown with code ERR_INVALID_CONFIG or a parseArgs code exit 2, others 3).
 * Each adds its usage lines to COMMAND_USAGE.
 */
const COMMANDS: Record<string, (argv: string[]) => number | Promise<number>> = {
  topics: topics.run,
  configs: configs.run,
  groups: groups.run,
  produce: produce.run,
  consume: consume.run,
  bench: bench.run,
};
const COMMAND_USAGE: string[] = [...topics.usage, ...configs.usage, ...groups.usage, ...produce.usage, ...consume.usage, ...bench.usage];

const usage = () => `Usage: strata <command> [options]

Commands:
  start [--config server.properties] [--override key=value ...]
                                             Run a broker (Kafka's property names; default 127.0.0.1:9092, ./data)
  quotas describe [--user U|--user-default] [--client-id C|--client-default] --bootstrap-server host:port [--json]
                                             Client quotas set on matching entities (DescribeClientQuotas)
  quotas alter <entity flags> [--add producer_byte_rate=N ...] [--delete consumer_byte_rate ...] --bootstrap-server host:port
                                             Set or remove quotas (AlterClientQuotas), persisted by the broker
  transactions list [--state S ...] --bootstrap-server host:port [--json]
                                             Transactional ids, producer ids and states (ListTransactions)
  transactions describe <transactional.id> ... --bootstrap-server host:port [--json]
                                             State, producer, timeout, partitions (DescribeTransactions)
  dump-log <file.log> [--records] [--json]   Print the batches (and records) of a segment file, checking CRCs
${COMMAND_USAGE.join('\n')}
  help                                       This text

Options:
  --version                                  Print the version`;

function main(argv: string[]): number | Promise<number> {
  const own = argv[0] !== undefined ? COMMANDS[argv[0]] : undefined;
  if (own !== undefined && Object.prototype.hasOwnProperty.call(COMMANDS, argv[0])) return own(argv.slice(1));
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      records: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      version: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      config: { type: 'string' },
      override: { type: 'string', multiple: true, default: [] },
      'bootstrap-server': { type: 'string' },
      state: { type: 'string', multiple: true, default: [] },
      user: { type: 'string' },
      'user-default': { type: 'boolean', default: false },
      'client-id': { type: 'string' },
      'client-default': { type: 'boolean', default: false },
      add: { type: 'string', multiple: true, default: [] },
      delete: { type: 'string', multiple: true, default: [] },
    },
  });
  if (values.version) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    console.log((require('../../package.json') as { version: string }).version);
    return 0;
  }
  const [command, ...rest] = positionals;
  if (values.help || command === 'help' || command === undefined) {
    console.log(usage());
    return command === undefined && !values.help ? 2 : 0;
  }
  if (command === 'start') {
    if (rest.length > 0) {
      console.error(`strata start: unexpected argument "${rest[0]}"`);
      return 2;
    }
    return startCommand({ config: values.config, overrides: values.override ?? [] });
  }
  if (command === 'quotas') {
    const [sub, ...extra] = rest;
    if ((sub !== 'describe' && sub !== 'alter') || extra.length > 0) {
      console.error('strata quotas: use "describe" or "alter"');
      return 2;
    }
    if (!values['bootstrap-server']) {
      console.error('strata quotas: --bootstrap-server host:port is needed');
      return 2;
    }
    return quotasCommand(sub, {
      bootstrapServer: values['bootstrap-server'],
      user: values.user,
      userDefault: values['user-default'] ?? false,
      clientId: values['client-id'],
      clientDefault: values['client-default'] ?? false,
      add: values.add ?? [],
      delete: values.delete ?? [],
      json: values.json,
      out: (l) => console.log(l),
      err: (l) => console.error(l),
    });
  }
  if (command === 'transactions') {
    const [sub, ...ids] = rest;
    if ((sub !== 'list' && sub !== 'describe') || (sub === 'describe' && ids.length === 0) || (sub === 'list' && ids.length > 0)) {
      console.error('strata transactions: use "list" or "describe <transactional.id> ..."');
      return 2;
    }
    if (!values['bootstrap-server']) {
      console.error('strata transactions: --bootstrap-server host:port is needed');
      return 2;
    }
    return transactionsCommand(sub, ids, {
      bootstrapServer: values['bootstrap-server'],
      states: values.state ?? [],
      json: values.json,
      out: (l) => console.log(l),
      err: (l) => console.error(l),
    });
  }
  if (command === 'dump-log') {
    if (rest.length !== 1) {
      console.error('strata dump-log: exactly one segment file is needed');
      return 2;
    }
    const summary = dumpLog(rest[0], { records: values.records, json: values.json, out: (l) => console.log(l) });
    if (summary.firstBadPosition !== null) {
      console.error(
        `strata dump-log: ${summary.fileBytes - summary.validBytes} bytes from position ${summary.firstBadPosition} are not a valid batch`,
      );
      return 1;
    }
    return 0;
  }
  console.error(`strata: unknown command "${command}"\n\n${usage()}`);
  return 2;
}

function fail(err: unknown): void {
  const e = err as NodeJS.ErrnoException;
  console.error(`strata: ${e.code ? `${e.code}: ` : ''}${e.message}`);
  process.exitCode =
    e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' || e.code === 'ERR_INVALID_CONFIG' ? 2 : 3;
}

try {
  const result = main(process.argv.slice(2));
  if (typeof result === 'number') process.exitCode = result;
  else result.then((code) => (process.exitCode = code), fail);
} catch (err) {
  fail(err);
}
