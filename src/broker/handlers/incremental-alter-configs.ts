/**
 * IncrementalAlterConfigs for topics: each entry SETs (0), DELETEs (1), APPENDs to (2) or SUBTRACTs from (3) one
 * config, leaving the others as they are (unlike AlterConfigs). APPEND and SUBTRACT apply to list configs only
 * (cleanup.policy here). The result is validated as a whole before anything changes. As in Kafka's
 * ConfigAdminManager.preprocess, a resource listed twice in the request (each of them), one naming a config twice
 * and one with a null value other than on a DELETE are INVALID_REQUEST, with nothing of it applied; the other
 * resources go on.
 */
import { ApiKey } from '../../protocol/api-key';
import { ErrorCode } from '../../protocol/error-codes';
import { KafkaError } from '../../errors/kafka-error';
import { rejectDuplicateConfigNames, rejectDuplicateResource, rejectNullConfigValues, validateTopicConfigs } from '../topic-configs';
import { route } from '../handler';
import { errorMessage, kafkaErrorCode } from '../error-mapping';
import { RESOURCE_TOPIC } from './describe-configs';

const SET = 0;
const DELETE = 1;
const APPEND = 2;
const SUBTRACT = 3;
const LIST_CONFIGS = new Set(['cleanup.policy']);

export const incrementalAlterConfigsRoute = route(ApiKey.IncrementalAlterConfigs, 0, 1, (request, { broker }) => ({
  throttleTimeMs: 0,
  responses: request.resources.map((r) => {
    const out = { errorCode: ErrorCode.NONE, errorMessage: null as string | null, resourceType: r.resourceType, resourceName: r.resourceName };
    try {
      rejectDuplicateResource(request.resources, r);
      rejectDuplicateConfigNames(r.configs);
      rejectNullConfigValues(r.configs.filter((c) => c.configOperation !== DELETE));
      if (r.resourceType !== RESOURCE_TOPIC) throw new KafkaError('INVALID_REQUEST', 'only topic configs can be altered; broker configs come from its properties');
      const topic = broker.topics.get(r.resourceName);
      if (!topic) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `no topic "${r.resourceName}"`);
      const next: Record<string, string> = { ...topic.configs };
      for (const c of r.configs) {
        const list = () => (next[c.name] ?? '').split(',').map((x) => x.trim()).filter(Boolean);
        if (c.configOperation === SET) {
          next[c.name] = c.value as string; // not null: refused above
        } else if (c.configOperation === DELETE) {
          delete next[c.name];
        } else if (c.configOperation === APPEND || c.configOperation === SUBTRACT) {
          if (!LIST_CONFIGS.has(c.name)) throw new KafkaError('INVALID_CONFIG', `${c.name} is not a list config`);
          const items = list();
          const values = (c.value as string).split(',').map((x) => x.trim()).filter(Boolean);
          next[c.name] = (c.configOperation === APPEND ? [...items, ...values.filter((v) => !items.includes(v))] : items.filter((v) => !values.includes(v))).join(',');
        } else {
          throw new KafkaError('INVALID_REQUEST', `unknown config operation ${c.configOperation}`);
        }
      }
      validateTopicConfigs(next);
      if (!request.validateOnly) broker.setTopicConfigs(r.resourceName, next);
    } catch (err) {
      out.errorCode = kafkaErrorCode(err, broker.log);
      out.errorMessage = errorMessage(err);
    }
    return out;
  }),
}));
