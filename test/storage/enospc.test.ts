/**
 * A full disk, for real: the writer runs in its own user and mount namespace (unshare) on a 2 MiB tmpfs and
 * appends until the disk refuses. The append must fail with ENOSPC, change nothing, and leave every
 * acknowledged batch readable; freeing space lets appends resume; close and reopen keep the data.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const WRITER = path.join(__dirname, 'fixtures', 'enospc-writer.ts');

t.test('append on a full disk fails with ENOSPC and loses nothing acknowledged', async (t) => {
  const dir = t.testdir();
  const script = 'mount -t tmpfs -o size=2m strata-enospc "$1" && exec "$2" --import tsx "$3" "$1"';
  const r = spawnSync('unshare', ['--user', '--map-root-user', '--mount', 'sh', '-c', script, 'sh', dir, process.execPath, WRITER], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  t.equal(r.status, 0, `writer ran: ${r.stderr}`);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
  t.equal(out.code, 'ENOSPC');
  t.equal(out.syscall, 'fallocate');
  t.ok(out.isStorageError, 'a StorageError');
  t.ok(out.appended > 50, `${out.appended} batches were appended before the disk filled`);
  t.equal(out.readBatches, out.appended, 'every acknowledged batch reads back');
  t.equal(out.readBytes, out.acknowledgedBytes, 'byte for byte');
  t.equal(out.endBefore, out.appended * 2);
  t.ok(out.appendAfterFree, 'appends resume once retention freed space');
  t.equal(out.closeError, null);
  t.equal(out.endAfterReopen, out.endBefore + 2, 'reopen keeps everything');
});
