"""confluent-kafka-python 1.7.0 (librdkafka) exactly-once consume-transform-produce worker: reads `ctp-in`
partition 0 from the group's committed offset (argv: bootstrap, total, pause in seconds inside each transaction), and for every chunk of up to 10 inputs writes `out-<value>` to
`ctp-out` and commits the consumed offsets in the same transaction. It keeps going through broker crashes the way
an application should: a failed transaction is aborted (or, if that fails too, the producer is recreated, which
fences the old one), and the consumer is rewound to the committed offset. Exits once `total` inputs are committed.
Prints one JSON line of counters."""
import json
import sys
import time

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition

bootstrap, total, pause = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
TP = TopicPartition('ctp-in', 0)
stats = {'committed': 0, 'aborted': 0, 'recreated': 0, 'rewinds': 0}
common = {'bootstrap.servers': bootstrap, 'reconnect.backoff.ms': 50, 'reconnect.backoff.max.ms': 500,
          'socket.timeout.ms': 5000}


def new_producer():
    while True:
        p = Producer(dict(common, **{'transactional.id': 'ctp-tx', 'transaction.timeout.ms': 10000,
                                    'message.timeout.ms': 10000, 'linger.ms': 1}))
        try:
            p.init_transactions(10)
            return p
        except KafkaException:
            time.sleep(0.2)


def committed_offset(consumer):
    while True:
        try:
            offset = consumer.committed([TopicPartition('ctp-in', 0)], timeout=5)[0].offset
            return offset if offset >= 0 else 0
        except KafkaException:
            time.sleep(0.2)


consumer = Consumer(dict(common, **{'group.id': 'ctp', 'enable.auto.commit': False, 'auto.offset.reset': 'earliest',
                                    'isolation.level': 'read_committed'}))
producer = new_producer()
position = committed_offset(consumer)
consumer.assign([TopicPartition('ctp-in', 0, position)])
deadline = time.time() + 150
while position < total and time.time() < deadline:
    msgs = [m for m in consumer.consume(num_messages=10, timeout=0.5) if m.error() is None]
    if not msgs:
        continue
    try:
        producer.begin_transaction()
        for m in msgs:
            producer.produce('ctp-out', value=b'out-' + m.value(), partition=0)
        producer.flush(10)
        # The outputs are written and the transaction is open: a crash now must leave them invisible.
        print('open %d' % position, flush=True)
        time.sleep(pause)
        nxt = msgs[-1].offset() + 1
        producer.send_offsets_to_transaction([TopicPartition('ctp-in', 0, nxt)], consumer.consumer_group_metadata(), 10)
        producer.commit_transaction(10)
        position = nxt
        stats['committed'] += 1
    except KafkaException:
        try:
            producer.abort_transaction(10)
            stats['aborted'] += 1
        except KafkaException:
            # The outcome is unknown or the producer unusable: a new instance fences it and aborts what is open.
            producer = new_producer()
            stats['recreated'] += 1
        position = committed_offset(consumer)
        consumer.seek(TopicPartition('ctp-in', 0, position))
        stats['rewinds'] += 1
consumer.close()
stats['position'] = position
print(json.dumps(stats))
