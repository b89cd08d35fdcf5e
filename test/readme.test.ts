/**
 * The README's code is run as written (through the package's own export map), so it cannot rot.
 */
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';

const ROOT = path.join(__dirname, '..');

function snippet(name: string): string {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const marker = `<!-- readme-test: ${name} -->`;
  const at = readme.indexOf(marker);
  if (at < 0) throw new Error(`README has no ${marker}`);
  const match = /```ts\n([\s\S]*?)```/.exec(readme.slice(at));
  if (!match) throw new Error(`no ts block after ${marker}`);
  return match[1];
}

t.test('README embedded-storage example runs as written', async (t) => {
  const code = snippet('storage');
  const lines = code.split('\n');
  const imports = lines.filter((l) => l.startsWith('import '));
  const body = lines.filter((l) => !l.startsWith('import '));
  const dir = t.testdir();
  const file = path.join(dir, 'example.ts');
  // CommonJS has no top-level await: the body runs in an async function, unchanged.
  fs.writeFileSync(file, `${imports.join('\n')}\n(async () => {\n${body.join('\n')}\n})().catch((e) => { console.error(e); process.exit(1); });\n`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /wrote 0\.\.1, read 1 batch buffer\(s\), high watermark 2/);
  t.ok(fs.existsSync(path.join(dir, 'data', 'orders-0', '00000000000000000000.log')), 'Kafka layout on disk');
  t.ok(fs.existsSync(path.join(dir, 'data', '.kafka_cleanshutdown')), 'clean shutdown marker');
});

t.test('README embedded-client example runs as written', async (t) => {
  const code = snippet('client');
  const lines = code.split('\n');
  const imports = lines.filter((l) => l.startsWith('import '));
  const body = lines.filter((l) => !l.startsWith('import '));
  const dir = t.testdir();
  const file = path.join(dir, 'client.ts');
  fs.writeFileSync(file, `${imports.join('\n')}\n(async () => {\n${body.join('\n')}\n})().catch((e) => { console.error(e); process.exit(1); });\n`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /^A,B,C committed at 3$/m, 'the transformed records, once, and the offset committed with them');
});
