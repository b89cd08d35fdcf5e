/**
 * The declarations against the protocol guide's grammar: (1) blocks copied from the guide render identically from
 * our declarations; (2) the grammar comments above every declaration match what the declaration renders, so the
 * comments cannot drift from the code.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import { declaredApis, grammarOf, MessageSpec, snakeCase } from '../../src/protocol';

const TITLE = /^(\w+) (Request|Response) \(Version: (\d+)\) =>/;

function specByTitle(api: string, kind: string): MessageSpec | undefined {
  const definition = declaredApis().find((d) => d.name === api);
  if (definition === undefined) return undefined;
  return kind === 'Request' ? definition.request : definition.response;
}

/** Splits lines into grammar blocks: a title line and the indented lines under it. */
function blocks(lines: readonly string[]): string[][] {
  const out: string[][] = [];
  let current: string[] | undefined;
  for (const line of lines) {
    if (TITLE.test(line)) {
      current = [line];
      out.push(current);
    } else if (current !== undefined && line.startsWith('  ')) {
      current.push(line);
    } else {
      current = undefined;
    }
  }
  return out;
}

t.test('camelCase names render as the guide\'s snake_case', async (t) => {
  t.equal(snakeCase('throttleTimeMs'), 'throttle_time_ms');
  t.equal(snakeCase('topicId'), 'topic_id');
  t.equal(snakeCase('groupsNames'), 'groups_names');
});

t.test('grammar copied from the protocol guide renders identically from the declarations', async (t) => {
  const text = fs.readFileSync(path.join(__dirname, 'fixtures/guide-grammar.txt'), 'utf8');
  const guide = blocks(text.split('\n').filter((line) => !line.startsWith('#')).map((line) => line.trimEnd()));
  t.ok(guide.length >= 12, `${guide.length} guide blocks`);
  for (const block of guide) {
    const [, api, kind, version] = TITLE.exec(block[0]) as RegExpExecArray;
    const spec = specByTitle(api, kind);
    t.ok(spec, `${api} ${kind} declared`);
    if (spec !== undefined) t.strictSame(grammarOf(spec, Number(version)), block, block[0]);
  }
});

t.test('the grammar comment above each declaration matches the declaration', async (t) => {
  const dir = path.join(__dirname, '../../src/protocol/messages');
  let checked = 0;
  const covered = new Set<string>();
  for (const file of fs.readdirSync(dir)) {
    const lines = fs.readFileSync(path.join(dir, file), 'utf8').split('\n');
    const commentLines = lines.filter((line) => line.startsWith('// ')).map((line) => line.slice(3));
    for (const block of blocks(commentLines)) {
      const [, api, kind, version] = TITLE.exec(block[0]) as RegExpExecArray;
      const spec = specByTitle(api, kind);
      t.ok(spec, `${file}: ${api} ${kind} declared`);
      if (spec === undefined) continue;
      t.strictSame(block, grammarOf(spec, Number(version)), `${file}: ${block[0]}`);
      covered.add(spec.name);
      checked++;
    }
  }
  t.equal(covered.size, declaredApis().length * 2, 'every request and response declaration has its grammar above it');
  t.ok(checked >= covered.size, `${checked} blocks`);
});
