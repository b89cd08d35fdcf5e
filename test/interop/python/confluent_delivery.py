"""confluent-kafka-python 1.7.0 consumer showing a delivery guarantee by where it commits (argv: bootstrap, topic,
group, mode). at-most-once commits each message's offset before processing it; at-least-once processes it first.
Each step is printed and flushed ("committed N", "processed N") so the test can kill the process between them. Exits
after `count` (argv 5) messages past the start have been seen, or after 3 s without a message."""
import sys
import time

from confluent_kafka import Consumer, TopicPartition

bootstrap, topic, group, mode, count = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
consumer = Consumer({'bootstrap.servers': bootstrap, 'group.id': group, 'enable.auto.commit': False,
                     'auto.offset.reset': 'earliest'})
consumer.assign([TopicPartition(topic, 0, consumer.committed([TopicPartition(topic, 0)], timeout=10)[0].offset)])
idle_since = time.time()
while time.time() - idle_since < 3:
    m = consumer.poll(0.2)
    if m is None or m.error() is not None:
        continue
    idle_since = time.time()
    value = m.value().decode()
    if mode == 'at-most-once':
        consumer.commit(message=m, asynchronous=False)
        print('committed %s' % value, flush=True)
        time.sleep(0.3)  # the crash window: committed, not processed
        print('processed %s' % value, flush=True)
    else:
        print('processed %s' % value, flush=True)
        time.sleep(0.3)  # the crash window: processed, not committed
        consumer.commit(message=m, asynchronous=False)
        print('committed %s' % value, flush=True)
    if int(value) >= count - 1:
        break
consumer.close()
