import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { Log } from '../../src/storage/log';
import { encodeRecordBatch, CompressionType } from '../../src/protocol/records/index';

const ROOT = path.join(__dirname, '..', '..');
const CLI = path.join(ROOT, 'dist', 'cli', 'strata.js');

function strata(...args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
}

t.test('strata dump-log prints batches and records of a real segment, and flags damage', async (t) => {
  const dir = t.testdir();
  const log = Log.open(path.join(dir, 'orders-0'));
  log.append(encodeRecordBatch({ records: [{ key: 'k1', value: 'hello', headers: [{ key: 'h', value: 'x' }] }, { key: null, value: 'world' }] }));
  log.append(encodeRecordBatch({ compression: CompressionType.Zstd, records: [{ value: 'zipped' }] }));
  log.close();
  const file = path.join(dir, 'orders-0', '00000000000000000000.log');
  let r = strata('dump-log', file, '--records');
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /baseOffset: 0 lastOffset: 1 count: 2 .*compression: None .*isValid: true/);
  t.match(r.stdout, /\| offset: 1 .*key: null value: world/);
  t.match(r.stdout, /baseOffset: 2 lastOffset: 2 count: 1 .*compression: Zstd/);
  t.match(r.stdout, /\| offset: 2 .*value: zipped/);
  r = strata('dump-log', file, '--json');
  const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  t.same(rows.map((x) => [x.baseOffset, x.count, x.crcValid]), [['0', 2, true], ['2', 1, true]]);
  // damage the second batch
  const bytes = fs.readFileSync(file);
  bytes[bytes.length - 3] ^= 0xff;
  fs.writeFileSync(file, bytes);
  r = strata('dump-log', file);
  t.equal(r.status, 1, 'exit 1 on a damaged segment');
  t.match(r.stdout, /isValid: false/);
  t.match(r.stderr, /not a valid batch/);
  t.equal(strata('dump-log').status, 2, 'usage error');
  t.equal(strata('dump-log', path.join(dir, 'missing.log')).status, 3, 'I/O error');
  t.match(strata('dump-log', path.join(dir, 'missing.log')).stderr, /ENOENT/);
  t.equal(strata('bogus').status, 2);
  t.equal(strata('--version').stdout.trim(), JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
});
