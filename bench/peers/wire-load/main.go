// wire-load: the Strata (Kafka protocol) and Redis Streams side of `npm run bench:peers`, so that all three
// systems are driven the same way: one TCP connection, requests pipelined with at most -window messages sent and
// not yet acknowledged, a writer goroutine and a reader goroutine, Go on the same machine. No Kafka or Redis Go
// library is installed here, so the protocols are written by hand, minimally.
//
// kafka: Produce v7 (acks -acks, one topic-partition) carrying a record batch v2 of -batch-records records of
// -size bytes (or as many as fit in -batch-bytes, Kafka's batch.size), built once with its CRC-32C (Castagnoli)
// and sent in every request (the broker assigns offsets in its own copy). Then, with -consume, Fetch v4 from
// offset 0, one in flight, -fetch-bytes per partition, records counted from the batch headers; whole passes over
// the log until -consume-seconds have passed.
//
// redis: XADD <key> * v <payload> per message (RESP), the answer an entry id. With -consume, XREAD COUNT c
// STREAMS <key> <last id>, one in flight, c = -fetch-bytes / -size (the same bytes per read as a Kafka fetch).
//
//	wire-load -proto kafka -addr 127.0.0.1:9092 -topic t -size 100 -messages 1000000 -warmup 100000 -window 1024
//	wire-load -proto redis -addr 127.0.0.1:6379 -key s -size 100 -messages 1000000 -warmup 100000 -window 1024
//
// Latency is per message, from the moment its request is handed to the socket (one timestamp per write of the
// requests that fit in the window) to the moment its answer is read; a Kafka request's latency counts once for
// each record of its batch. Output: JSON lines on stdout, {"event":"start","phase":...} when a timed phase begins
// (after -warmup messages), {"event":"end","phase":...,figures} when it ends. Standard library only.
package main

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand"
	"net"
	"os"
	"sort"
	"strconv"
	"sync"
	"syscall"
	"time"
)

var out = bufio.NewWriter(os.Stdout)

func emit(v map[string]interface{}) {
	b, _ := json.Marshal(v)
	out.Write(b)
	out.WriteByte('\n')
	out.Flush()
}

func fatal(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "wire-load: "+format+"\n", args...)
	os.Exit(1)
}

func cpuMs() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e6
}

func pct(sorted []float32, p float64) float64 {
	if len(sorted) == 0 {
		return -1
	}
	exact := p / 100 * float64(len(sorted))
	rank := int(exact)
	if float64(rank) < exact {
		rank++
	}
	if rank < 1 {
		rank = 1
	}
	if rank > len(sorted) {
		rank = len(sorted)
	}
	return float64(sorted[rank-1])
}

func latencyFields(m map[string]interface{}, lat []float32) {
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	m["p50Ms"] = pct(lat, 50)
	m["p99Ms"] = pct(lat, 99)
	m["p999Ms"] = pct(lat, 99.9)
	m["maxMs"] = pct(lat, 100)
	m["latencySamples"] = len(lat)
}

// protocol: how one request is written and its answer read. A request carries unitMsgs messages.
type protocol interface {
	unitMsgs() int
	writeRequest(w *bufio.Writer)
	// readAnswer reads one answer and fails the run on an error answer.
	readAnswer(r *bufio.Reader)
}

// ---------------------------------------------------------------------------------------------------------------
// Kafka

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func putString(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint16(b, uint16(len(s)))
	return append(b, s...)
}

func appendVarint(b []byte, v int64) []byte {
	var tmp [binary.MaxVarintLen64]byte
	n := binary.PutVarint(tmp[:], v) // zigzag, as Kafka's record fields
	return append(b, tmp[:n]...)
}

// recordBatch builds a record batch v2 of exactly batchRecords records of payload, or if batchRecords is 0 of as
// many as fit in batchBytes (at least one).
func recordBatch(payload []byte, batchBytes int, batchRecords int) ([]byte, int) {
	const headerBytes = 61
	var records []byte
	count := 0
	for {
		var body []byte
		body = append(body, 0)                  // attributes
		body = appendVarint(body, 0)            // timestampDelta
		body = appendVarint(body, int64(count)) // offsetDelta
		body = appendVarint(body, -1)           // key: null
		body = appendVarint(body, int64(len(payload)))
		body = append(body, payload...)
		body = appendVarint(body, 0) // headers
		rec := appendVarint(nil, int64(len(body)))
		rec = append(rec, body...)
		if batchRecords > 0 && count == batchRecords || batchRecords <= 0 && count > 0 && headerBytes+len(records)+len(rec) > batchBytes {
			break
		}
		records = append(records, rec...)
		count++
	}
	now := time.Now().UnixMilli()
	b := make([]byte, 0, headerBytes+len(records))
	b = binary.BigEndian.AppendUint64(b, 0)                                   // baseOffset
	b = binary.BigEndian.AppendUint32(b, uint32(headerBytes-12+len(records))) // batchLength
	b = binary.BigEndian.AppendUint32(b, 0xffffffff)                          // partitionLeaderEpoch -1
	b = append(b, 2)                                                          // magic
	b = binary.BigEndian.AppendUint32(b, 0)                                   // crc, below
	b = binary.BigEndian.AppendUint16(b, 0)                                   // attributes: no compression
	b = binary.BigEndian.AppendUint32(b, uint32(count-1))                     // lastOffsetDelta
	b = binary.BigEndian.AppendUint64(b, uint64(now))                         // baseTimestamp
	b = binary.BigEndian.AppendUint64(b, uint64(now))                         // maxTimestamp
	b = binary.BigEndian.AppendUint64(b, 0xffffffffffffffff)                  // producerId -1
	b = binary.BigEndian.AppendUint16(b, 0xffff)                              // producerEpoch -1
	b = binary.BigEndian.AppendUint32(b, 0xffffffff)                          // baseSequence -1
	b = binary.BigEndian.AppendUint32(b, uint32(count))                       // recordCount
	b = append(b, records...)
	binary.BigEndian.PutUint32(b[17:], crc32.Checksum(b[21:], castagnoli))
	return b, count
}

type kafka struct {
	body    []byte // the Produce request after the correlation id
	count   int
	nextId  int32
	checkId int32
}

func newKafka(topic string, partition int, acks int, payload []byte, batchBytes int, batchRecords int) *kafka {
	batch, count := recordBatch(payload, batchBytes, batchRecords)
	b := putString(nil, "strata-bench-peers")          // client id
	b = binary.BigEndian.AppendUint16(b, 0xffff)       // transactional id: null
	b = binary.BigEndian.AppendUint16(b, uint16(acks)) // acks
	b = binary.BigEndian.AppendUint32(b, 30000)        // timeout ms
	b = binary.BigEndian.AppendUint32(b, 1)            // topics
	b = putString(b, topic)
	b = binary.BigEndian.AppendUint32(b, 1) // partitions
	b = binary.BigEndian.AppendUint32(b, uint32(partition))
	b = binary.BigEndian.AppendUint32(b, uint32(len(batch)))
	b = append(b, batch...)
	return &kafka{body: b, count: count}
}

func (k *kafka) unitMsgs() int { return k.count }

func (k *kafka) writeRequest(w *bufio.Writer) {
	var h [12]byte
	binary.BigEndian.PutUint32(h[0:], uint32(8+len(k.body)))
	binary.BigEndian.PutUint16(h[4:], 0) // Produce
	binary.BigEndian.PutUint16(h[6:], 7) // v7
	k.nextId++
	binary.BigEndian.PutUint32(h[8:], uint32(k.nextId))
	w.Write(h[:])
	w.Write(k.body)
}

func readFrame(r *bufio.Reader, buf []byte) []byte {
	var h [4]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		fatal("read: %v", err)
	}
	n := int(binary.BigEndian.Uint32(h[:]))
	if cap(buf) < n {
		buf = make([]byte, n)
	}
	buf = buf[:n]
	if _, err := io.ReadFull(r, buf); err != nil {
		fatal("read: %v", err)
	}
	return buf
}

var kafkaFrame []byte

func (k *kafka) readAnswer(r *bufio.Reader) {
	kafkaFrame = readFrame(r, kafkaFrame)
	f := kafkaFrame
	k.checkId++
	if id := int32(binary.BigEndian.Uint32(f)); id != k.checkId {
		fatal("correlation id %d, expected %d", id, k.checkId)
	}
	// correlation id, [responses] count, name, [partitions] count, index, error code
	p := 4 + 4
	p += 2 + int(binary.BigEndian.Uint16(f[p:]))
	p += 4 + 4
	if code := int16(binary.BigEndian.Uint16(f[p:])); code != 0 {
		fatal("Produce: error code %d", code)
	}
}

// kafkaConsume reads the partition from offset 0 until it has seen total records.
func kafkaConsume(conn net.Conn, r *bufio.Reader, topic string, partition int, fetchBytes int, total int) (int, int) {
	w := bufio.NewWriter(conn)
	offset := int64(0)
	read := 0
	var frame []byte
	id := int32(1 << 20)
	for read < total {
		id++
		b := make([]byte, 4, 128)
		b = binary.BigEndian.AppendUint16(b, 1) // Fetch
		b = binary.BigEndian.AppendUint16(b, 4) // v4
		b = binary.BigEndian.AppendUint32(b, uint32(id))
		b = putString(b, "strata-bench-peers")
		b = binary.BigEndian.AppendUint32(b, 0xffffffff) // replica id -1
		b = binary.BigEndian.AppendUint32(b, 500)        // max wait ms
		b = binary.BigEndian.AppendUint32(b, 1)          // min bytes
		b = binary.BigEndian.AppendUint32(b, uint32(fetchBytes))
		b = append(b, 0)                        // read_uncommitted
		b = binary.BigEndian.AppendUint32(b, 1) // topics
		b = putString(b, topic)
		b = binary.BigEndian.AppendUint32(b, 1) // partitions
		b = binary.BigEndian.AppendUint32(b, uint32(partition))
		b = binary.BigEndian.AppendUint64(b, uint64(offset))
		b = binary.BigEndian.AppendUint32(b, uint32(fetchBytes))
		binary.BigEndian.PutUint32(b, uint32(len(b)-4))
		w.Write(b)
		w.Flush()
		frame = readFrame(r, frame)
		f := frame
		if got := int32(binary.BigEndian.Uint32(f)); got != id {
			fatal("Fetch correlation id %d, expected %d", got, id)
		}
		p := 4 + 4 + 4 // correlation id, throttle, [responses] count
		p += 2 + int(binary.BigEndian.Uint16(f[p:]))
		p += 4 + 4 // [partitions] count, partition
		if code := int16(binary.BigEndian.Uint16(f[p:])); code != 0 {
			fatal("Fetch: error code %d", code)
		}
		p += 2 + 8 + 8
		if aborted := int32(binary.BigEndian.Uint32(f[p:])); aborted > 0 {
			p += 16 * int(aborted)
		}
		p += 4
		size := int32(binary.BigEndian.Uint32(f[p:]))
		p += 4
		if size <= 0 {
			continue
		}
		recs := f[p : p+int(size)]
		for q := 0; q+61 <= len(recs); {
			base := int64(binary.BigEndian.Uint64(recs[q:]))
			length := int(binary.BigEndian.Uint32(recs[q+8:]))
			if q+12+length > len(recs) {
				break // a partial batch at the end of the fetch
			}
			read += int(binary.BigEndian.Uint32(recs[q+57:]))
			offset = base + int64(binary.BigEndian.Uint32(recs[q+23:])) + 1
			q += 12 + length
		}
	}
	return read, int(id - 1<<20)
}

// ---------------------------------------------------------------------------------------------------------------
// Redis

type redis struct{ cmd []byte }

func newRedis(key string, payload []byte) *redis {
	c := fmt.Sprintf("*5\r\n$4\r\nXADD\r\n$%d\r\n%s\r\n$1\r\n*\r\n$1\r\nv\r\n$%d\r\n", len(key), key, len(payload))
	b := append([]byte(c), payload...)
	return &redis{cmd: append(b, '\r', '\n')}
}

func (x *redis) unitMsgs() int                { return 1 }
func (x *redis) writeRequest(w *bufio.Writer) { w.Write(x.cmd) }

func readLine(r *bufio.Reader) []byte {
	line, err := r.ReadSlice('\n')
	if err != nil {
		fatal("read: %v", err)
	}
	if len(line) < 3 {
		fatal("short RESP line %q", line)
	}
	return line[:len(line)-2]
}

func respInt(b []byte) int {
	n, err := strconv.Atoi(string(b))
	if err != nil {
		fatal("RESP length %q", b)
	}
	return n
}

// readBulk reads a bulk string (its bytes valid until the next read) or fails on an error reply.
func readBulk(r *bufio.Reader, keep bool) []byte {
	line := readLine(r)
	switch line[0] {
	case '$':
		n := respInt(line[1:])
		if n < 0 {
			return nil
		}
		if keep {
			b := make([]byte, n+2)
			if _, err := io.ReadFull(r, b); err != nil {
				fatal("read: %v", err)
			}
			return b[:n]
		}
		if _, err := r.Discard(n + 2); err != nil {
			fatal("read: %v", err)
		}
		return nil
	case '-':
		fatal("redis: %s", line[1:])
	}
	fatal("redis: unexpected reply %q", line)
	return nil
}

func readArray(r *bufio.Reader) int {
	line := readLine(r)
	if line[0] == '-' {
		fatal("redis: %s", line[1:])
	}
	if line[0] != '*' {
		fatal("redis: expected an array, got %q", line)
	}
	return respInt(line[1:])
}

func (x *redis) readAnswer(r *bufio.Reader) { readBulk(r, false) }

func redisConsume(conn net.Conn, r *bufio.Reader, key string, count int, total int) (int, int) {
	w := bufio.NewWriter(conn)
	last := "0-0"
	read := 0
	requests := 0
	countArg := strconv.Itoa(count)
	for read < total {
		requests++
		fmt.Fprintf(w, "*6\r\n$5\r\nXREAD\r\n$5\r\nCOUNT\r\n$%d\r\n%s\r\n$7\r\nSTREAMS\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", len(countArg), countArg, len(key), key, len(last), last)
		w.Flush()
		if readArray(r) <= 0 { // nil: nothing after `last`
			fatal("XREAD: no entries after %s, %d of %d read", last, read, total)
		}
		readArray(r)       // [key, entries]
		readBulk(r, false) // key
		n := readArray(r)
		for i := 0; i < n; i++ {
			readArray(r) // [id, fields]
			id := readBulk(r, true)
			fields := readArray(r)
			for f := 0; f < fields; f++ {
				readBulk(r, false)
			}
			if i == n-1 {
				last = string(id)
			}
		}
		read += n
	}
	return read, requests
}

// ---------------------------------------------------------------------------------------------------------------
// The pipelined produce loop, the same for both protocols.

type group struct {
	units int
	t     time.Time
	first int // index of its first unit
}

func produce(conn net.Conn, r *bufio.Reader, p protocol, warmupUnits, units, windowMsgs int) map[string]interface{} {
	w := bufio.NewWriterSize(conn, 256<<10)
	windowUnits := windowMsgs / p.unitMsgs()
	if windowUnits < 1 {
		windowUnits = 1
	}
	total := warmupUnits + units
	var mu sync.Mutex
	cond := sync.NewCond(&mu)
	inFlight := 0
	groups := make(chan group, windowUnits+1)
	lat := make([]float32, 0, units*p.unitMsgs())
	var startT, endT time.Time
	var startCpu float64
	started := make(chan struct{})
	done := make(chan struct{})

	go func() { // reader
		answered := 0
		released := 0
		for g := range groups {
			for k := 0; k < g.units; k++ {
				p.readAnswer(r)
				now := time.Now()
				if g.first+k >= warmupUnits {
					ms := float32(now.Sub(g.t).Nanoseconds()) / 1e6
					for m := 0; m < p.unitMsgs(); m++ {
						lat = append(lat, ms)
					}
				}
				answered++
				released++
				if r.Buffered() == 0 || released*2 >= windowUnits || answered == total {
					mu.Lock()
					inFlight -= released
					cond.Signal()
					mu.Unlock()
					released = 0
				}
				if answered == total {
					endT = now
				}
			}
		}
		close(done)
	}()

	sentUnits := 0
	for sentUnits < total {
		mu.Lock()
		for inFlight >= windowUnits {
			cond.Wait()
		}
		n := windowUnits - inFlight
		if n > total-sentUnits {
			n = total - sentUnits
		}
		// The timed part begins with the first request after the warm-up.
		if sentUnits < warmupUnits && sentUnits+n > warmupUnits {
			n = warmupUnits - sentUnits
		}
		inFlight += n
		mu.Unlock()
		if sentUnits == warmupUnits {
			select {
			case <-started:
			default:
				close(started)
				emit(map[string]interface{}{"event": "start", "phase": "produce"})
				startCpu = cpuMs()
				startT = time.Now()
			}
		}
		t := time.Now()
		for k := 0; k < n; k++ {
			p.writeRequest(w)
		}
		groups <- group{units: n, t: t, first: sentUnits}
		if err := w.Flush(); err != nil {
			fatal("write: %v", err)
		}
		sentUnits += n
	}
	close(groups)
	<-done
	seconds := endT.Sub(startT).Seconds()
	msgs := units * p.unitMsgs()
	res := map[string]interface{}{
		"event":       "end",
		"phase":       "produce",
		"messages":    msgs,
		"requests":    units,
		"msgsPerReq":  p.unitMsgs(),
		"seconds":     seconds,
		"msgsPerSec":  float64(msgs) / seconds,
		"driverCpuMs": cpuMs() - startCpu,
	}
	latencyFields(res, lat)
	return res
}

func main() {
	proto := flag.String("proto", "kafka", "kafka or redis")
	addr := flag.String("addr", "127.0.0.1:9092", "host:port")
	topic := flag.String("topic", "bench-peers", "kafka: topic (one partition written)")
	partition := flag.Int("partition", 0, "kafka: partition")
	acks := flag.Int("acks", -1, "kafka: acks")
	batchBytes := flag.Int("batch-bytes", 16384, "kafka: record batch bytes per Produce request (batch.size)")
	batchRecords := flag.Int("batch-records", 0, "kafka: records per Produce request (0: as many as fit in -batch-bytes)")
	key := flag.String("key", "bench-peers", "redis: stream key")
	size := flag.Int("size", 100, "message payload bytes")
	messages := flag.Int("messages", 1000000, "messages in the timed part (rounded up to whole Kafka batches)")
	warmup := flag.Int("warmup", 100000, "messages sent before the timed part")
	window := flag.Int("window", 1024, "messages sent and not yet acknowledged, at most (Kafka: whole batches, at least one)")
	consume := flag.Bool("consume", false, "then read everything back")
	consumeSeconds := flag.Float64("consume-seconds", 2, "read the log from the start again until this long has passed")
	fetchBytes := flag.Int("fetch-bytes", 1<<20, "bytes per read (Kafka: Fetch max bytes; Redis: XREAD COUNT of this many payload bytes)")
	flag.Parse()

	conn, err := net.Dial("tcp", *addr)
	if err != nil {
		fatal("connect %s: %v", *addr, err)
	}
	conn.(*net.TCPConn).SetNoDelay(true)
	r := bufio.NewReaderSize(conn, 1<<20)
	payload := make([]byte, *size)
	rand.New(rand.NewSource(1)).Read(payload)

	var p protocol
	switch *proto {
	case "kafka":
		p = newKafka(*topic, *partition, *acks, payload, *batchBytes, *batchRecords)
	case "redis":
		p = newRedis(*key, payload)
	default:
		fatal("unknown -proto %s", *proto)
	}
	per := p.unitMsgs()
	units := (*messages + per - 1) / per
	warmupUnits := (*warmup + per - 1) / per
	res := produce(conn, r, p, warmupUnits, units, *window)
	emit(res)
	if !*consume {
		return
	}
	total := (warmupUnits + units) * per
	emit(map[string]interface{}{"event": "start", "phase": "consume"})
	startCpu := cpuMs()
	startT := time.Now()
	read, requests, passes := 0, 0, 0
	// Whole passes over the log from its start, until -consume-seconds have passed (at least one).
	for passes == 0 || time.Since(startT).Seconds() < *consumeSeconds {
		var n, q int
		if *proto == "kafka" {
			n, q = kafkaConsume(conn, r, *topic, *partition, *fetchBytes, total)
		} else {
			count := *fetchBytes / *size
			if count < 1 {
				count = 1
			}
			n, q = redisConsume(conn, r, *key, count, total)
		}
		read += n
		requests += q
		passes++
	}
	seconds := time.Since(startT).Seconds()
	emit(map[string]interface{}{
		"event":       "end",
		"phase":       "consume",
		"messages":    read,
		"requests":    requests,
		"passes":      passes,
		"seconds":     seconds,
		"msgsPerSec":  float64(read) / seconds,
		"driverCpuMs": cpuMs() - startCpu,
	})
}
