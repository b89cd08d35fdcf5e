/**
 * `strata start`: a broker in this process, configured as kafka-server-start is: a properties file, then
 * STRATA_* environment variables, then --override key=value. SIGTERM and SIGINT shut it down cleanly (flush,
 * trim, checkpoint, clean-shutdown marker), so the next start scans nothing.
 */
import { brokerConfigFrom, parseOverrides, propertiesFromEnv, readPropertiesFile } from '../config/broker-config';
import { Broker } from '../broker/broker';

export interface StartOptions {
  config?: string;
  overrides: string[];
}

export async function startCommand(options: StartOptions): Promise<number> {
  const props = {
    ...(options.config ? readPropertiesFile(options.config) : {}),
    ...propertiesFromEnv(process.env),
    ...parseOverrides(options.overrides),
  };
  const config = brokerConfigFrom(props); // throws ERR_INVALID_CONFIG naming the key: exit 2
  const broker = await Broker.start(config);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      broker.log.info('shutting down', { signal });
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  await broker.close();
  return 0;
}
