/**
 * AlterClientQuotas and DescribeClientQuotas on the wire: set, match (exact, default, any, strict), remove, refuse
 * what is not supported, persist across a restart, and take effect on the next request.
 */
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Broker } from '../../src/broker/broker';
import { ApiKey } from '../../src/protocol/api-key';
import { ErrorCode } from '../../src/protocol/error-codes';
import { encodeRecordBatch } from '../../src/protocol/records/index';
import { silentLogger } from '../../src/observability/logger';
import { RawClient } from './helpers/raw-client';

const start = (dir: string) => Broker.start({ listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dir, 'quota.window.num': 2 }, { logger: silentLogger });
const user = (name: string | null) => ({ entityType: 'user', entityName: name });
const client = (name: string | null) => ({ entityType: 'client-id', entityName: name });

t.test('AlterClientQuotas / DescribeClientQuotas', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-cq-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  let broker = await start(dir);
  let c = await RawClient.connect(broker.port, 'admin');
  const alter = (entries: Array<{ entity: Array<{ entityType: string; entityName: string | null }>; ops: Array<{ key: string; value: number; remove: boolean }> }>, validateOnly = false) =>
    c.send(ApiKey.AlterClientQuotas, 1, { entries, validateOnly });
  const describe = (components: Array<{ entityType: string; matchType: number; match: string | null }>, strict = false) =>
    c.send(ApiKey.DescribeClientQuotas, 1, { components, strict });

  const set = await alter([
    { entity: [user('alice'), client('app')], ops: [{ key: 'producer_byte_rate', value: 2048, remove: false }] },
    { entity: [client(null)], ops: [{ key: 'consumer_byte_rate', value: 4096, remove: false }] },
    { entity: [user('bob')], ops: [{ key: 'request_percentage', value: 50, remove: false }] },
    { entity: [{ entityType: 'ip', entityName: '1.2.3.4' }], ops: [{ key: 'producer_byte_rate', value: 1, remove: false }] },
    { entity: [user('carol')], ops: [{ key: 'connection_creation_rate', value: 5, remove: false }] },
    { entity: [user('dave')], ops: [{ key: 'request_percentage', value: 0, remove: false }] },
  ]);
  t.same(
    set.entries.map((e) => e.errorCode),
    [ErrorCode.NONE, ErrorCode.NONE, ErrorCode.NONE, ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST],
    'unsupported keys, entity types and values refused per entry',
  );
  t.equal((await alter([{ entity: [client('dry')], ops: [{ key: 'producer_byte_rate', value: 1, remove: false }] }], true)).entries[0].errorCode, ErrorCode.NONE);

  const all = await describe([]);
  t.same(all.entries!.map((e) => [e.entity, e.values]), [
    [[user('alice'), client('app')], [{ key: 'producer_byte_rate', value: 2048 }]],
    [[client(null)], [{ key: 'consumer_byte_rate', value: 4096 }]],
    [[user('bob')], [{ key: 'request_percentage', value: 50 }]],
  ], 'everything set (validate_only changed nothing)');
  t.equal((await describe([{ entityType: 'user', matchType: 0, match: 'alice' }])).entries!.length, 1, 'exact user');
  t.equal((await describe([{ entityType: 'client-id', matchType: 1, match: null }])).entries!.length, 1, 'default client-id');
  t.equal((await describe([{ entityType: 'client-id', matchType: 2, match: null }])).entries!.length, 1, 'any specified client-id (not the default)');
  t.equal((await describe([{ entityType: 'user', matchType: 0, match: 'alice' }], true)).entries!.length, 0, 'strict: the entity also has a client-id');
  t.equal((await describe([{ entityType: 'nope', matchType: 0, match: 'x' }])).errorCode, ErrorCode.INVALID_REQUEST);

  // Takes effect: 'app' of user ANONYMOUS is not alice, the default client-id quota is for fetches; set one for it.
  await alter([{ entity: [client('app')], ops: [{ key: 'producer_byte_rate', value: 10_000, remove: false }] }]);
  const app = await RawClient.connect(broker.port, 'app');
  const records = () => encodeRecordBatch({ records: [{ value: Buffer.alloc(20_000) }] });
  broker.createTopic('t', 1);
  const produce = () => app.send(ApiKey.Produce, 9, { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [{ name: 't', partitionData: [{ index: 0, records: records() }] }] });
  t.ok((await produce()).throttleTimeMs > 0, 'the new quota throttles the next request');
  app.close();

  c.close();
  await broker.close();
  broker = await start(dir);
  c = await RawClient.connect(broker.port, 'admin');
  t.equal((await describe([])).entries!.length, 4, 'persisted across a restart');
  await alter([{ entity: [client('app')], ops: [{ key: 'producer_byte_rate', value: 0, remove: true }] }]);
  t.equal((await describe([{ entityType: 'client-id', matchType: 0, match: 'app' }], true)).entries!.length, 0, 'removed');
  c.close();
  await broker.close();
});
