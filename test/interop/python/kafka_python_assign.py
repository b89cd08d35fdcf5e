"""kafka-python 2.0.2: admin creates a topic, a producer writes keyed messages to chosen partitions, a consumer
without a group reads them back by assignment. Prints one JSON line for the test to check."""
import json
import sys

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import KafkaAdminClient, NewTopic

bootstrap = sys.argv[1]
admin = KafkaAdminClient(bootstrap_servers=bootstrap)
admin.create_topics([NewTopic('py-topic', num_partitions=2, replication_factor=1)])
producer = KafkaProducer(bootstrap_servers=bootstrap, acks='all')
futures = [producer.send('py-topic', key=b'k%d' % i, value=b'value-%d' % i, partition=i % 2) for i in range(10)]
producer.flush()
acked = [(f.get(10).partition, f.get(10).offset) for f in futures]
consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, auto_offset_reset='earliest', consumer_timeout_ms=3000)
consumer.assign([TopicPartition('py-topic', 0), TopicPartition('py-topic', 1)])
consumed = [[m.partition, m.offset, m.key.decode(), m.value.decode()] for m in consumer]
print(json.dumps({'acked': acked, 'consumed': consumed, 'api_version': list(producer.config['api_version'])}))
