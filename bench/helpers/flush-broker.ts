/**
 * A broker embedded in its own process for bench:flush: started with the properties passed as JSON in argv[2],
 * it tells its parent the port over IPC, and answers 'stats' with the data syncs (group-commit fdatasync rounds)
 * and flushes its partition logs ran, so the benchmark can report fsyncs per acknowledged request.
 * Loads the broker from dist/ (what users run) unless STRATA_BENCH_SOURCE=src.
 */
import * as path from 'node:path';
import type { Broker as BrokerClass } from '../../src/broker/broker';

const source = process.env.STRATA_BENCH_SOURCE === 'src' ? '../../src/broker/broker' : path.join(__dirname, '..', '..', 'dist', 'broker', 'broker');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Broker } = require(source) as { Broker: typeof BrokerClass };

async function main(): Promise<void> {
  const props = JSON.parse(process.argv[2]) as Record<string, string>;
  const broker = await Broker.start(props);
  process.on('message', (m: { type: string }) => {
    if (m.type === 'stats') {
      let dataSyncs = 0;
      for (const p of broker.logs.all()) if (!p.topic.startsWith('__')) dataSyncs += p.log.dataSyncs;
      process.send!({ type: 'stats', dataSyncs });
    } else if (m.type === 'stop') {
      void broker.close().then(() => process.exit(0));
    }
  });
  process.send!({ type: 'started', port: broker.port });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
