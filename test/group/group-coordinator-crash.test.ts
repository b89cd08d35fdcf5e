/**
 * Committed offsets and group metadata survive a kill -9 of the process that acknowledged them: a child commits
 * and is killed with SIGKILL without closing anything; a new coordinator over the recovered log has them all.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { openHarness } from './fixtures/group-harness';

const ROOT = path.join(__dirname, '..', '..');
const CHILD = path.join(__dirname, 'fixtures', 'crash-committer.ts');

function commitThenKill(dir: string): Promise<{ count: number; memberId: string }> {
  return new Promise((resolve, reject) => {
    // --import tsx: the runner injects its own ESM hooks into children, so only tsx's ESM loader works there.
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir], { stdio: ['ignore', 'pipe', 'inherit'], cwd: ROOT });
    let buffer = '';
    let result: { count: number; memberId: string } | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const match = /^committed (\d+) (\S+)\n/m.exec(buffer);
      if (match && result === undefined) {
        result = { count: Number(match[1]), memberId: match[2] };
        child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL' && result !== undefined) resolve(result);
      else reject(new Error(`child exited with code ${code}, signal ${signal}`));
    });
  });
}

t.test('kill -9 after acknowledged commits: offsets and the group come back', async (t) => {
  const dir = t.testdir();
  const { count, memberId } = await commitThenKill(dir);
  t.equal(count, 50);
  const h = openHarness(dir);
  t.teardown(() => h.close());
  t.ok(h.log.recovery.segmentsScanned >= 1, 'the log was recovered, not cleanly closed');
  const [offset] = h.coordinator.fetchOffsets('g', null).offsets;
  t.match(offset, { topic: 't', partition: 0, offset: 49n, metadata: 'at-49' }, 'the last acknowledged commit');
  const group = h.coordinator.describeGroup('g');
  t.equal(group.state, 'Stable');
  t.same(group.members.map((m) => [m.memberId, m.assignment.toString()]), [[memberId, 'assign-0']]);
  t.equal(h.coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId, groupInstanceId: null }), 'NONE', 'generation 1 goes on');
});
