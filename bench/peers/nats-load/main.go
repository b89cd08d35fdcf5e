// nats-load: the JetStream side of `npm run bench:peers`. One connection, one producer publishing to a file-storage
// stream with PublishAsync (at most -window messages without their PubAck), then optionally a pull consumer reading
// the stream back from the start (whole passes, a new consumer each, until -consume-seconds have passed). Written
// in Go because the Node `nats` client, not the server, is the limit there (~26k msgs/s from Node against ~215k
// from Go on this machine).
//
//	nats-load -url nats://127.0.0.1:4222 -size 100 -messages 1000000 -warmup 100000 -window 1024 -consume
//
// Prints JSON lines on stdout: {"event":"start","phase":"produce"} when the timed part of a phase begins (so the
// benchmark can sample the server's CPU), then {"event":"end","phase":"produce",...figures} when it ends.
// Latency is publish→PubAck per message: from the PublishAsync call to the moment its future resolves (acks come
// back in publish order on one stream; a collector goroutine waits on each future in turn).
//
// Built by bench/peers.ts in GOPATH mode against Debian's golang-github-nats-io-go-nats-dev (offline):
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o /tmp/nats-load ./bench/peers/nats-load
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/nats-io/nats.go"
)

var out = bufio.NewWriter(os.Stdout)

func emit(v map[string]interface{}) {
	b, _ := json.Marshal(v)
	out.Write(b)
	out.WriteByte('\n')
	out.Flush()
}

func fatal(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "nats-load: "+format+"\n", args...)
	os.Exit(1)
}

func cpuMs() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e6
}

// pct is the nearest-rank percentile of sorted samples (ms).
func pct(sorted []float32, p float64) float64 {
	if len(sorted) == 0 {
		return -1
	}
	rank := int(p / 100 * float64(len(sorted)))
	if float64(rank) < p/100*float64(len(sorted)) {
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

type sent struct {
	f nats.PubAckFuture
	t time.Time
	i int
}

func main() {
	url := flag.String("url", nats.DefaultURL, "server URL")
	stream := flag.String("stream", "BENCH", "stream name (created with file storage)")
	subject := flag.String("subject", "bench.peers", "subject")
	size := flag.Int("size", 100, "message payload bytes")
	messages := flag.Int("messages", 1000000, "messages in the timed part")
	warmup := flag.Int("warmup", 100000, "messages published before the timed part")
	window := flag.Int("window", 1024, "messages published and not yet acknowledged, at most")
	consume := flag.Bool("consume", false, "then read the whole stream back with a pull consumer")
	consumeSeconds := flag.Float64("consume-seconds", 2, "read the stream from the start again until this long has passed")
	fetchBatch := flag.Int("fetch-batch", 10000, "messages per pull request")
	flag.Parse()

	nc, err := nats.Connect(*url, nats.NoReconnect())
	if err != nil {
		fatal("connect: %v", err)
	}
	defer nc.Close()
	js, err := nc.JetStream(nats.PublishAsyncMaxPending(*window))
	if err != nil {
		fatal("jetstream: %v", err)
	}
	if _, err := js.AddStream(&nats.StreamConfig{Name: *stream, Subjects: []string{*subject}, Storage: nats.FileStorage, Replicas: 1}); err != nil {
		fatal("add stream: %v", err)
	}

	payload := make([]byte, *size)
	rand.New(rand.NewSource(1)).Read(payload)
	total := *warmup + *messages
	lat := make([]float32, 0, *messages)
	// Futures in publish order; room for more than the window so the publisher only ever waits in PublishAsync.
	queue := make(chan sent, *window+16)
	var startT time.Time
	var startCpu float64
	done := make(chan time.Time)
	go func() {
		var last time.Time
		for s := range queue {
			select {
			case <-s.f.Ok():
			case err := <-s.f.Err():
				fatal("publish %d: %v", s.i, err)
			}
			last = time.Now()
			if s.i >= *warmup {
				lat = append(lat, float32(last.Sub(s.t).Nanoseconds())/1e6)
			}
		}
		done <- last
	}()
	for i := 0; i < total; i++ {
		if i == *warmup {
			emit(map[string]interface{}{"event": "start", "phase": "produce"})
			startCpu = cpuMs()
			startT = time.Now()
		}
		for {
			t := time.Now()
			f, err := js.PublishAsync(*subject, payload)
			if err == nil {
				queue <- sent{f, t, i}
				break
			}
			// PublishAsync gives up after 200 ms without a free slot: the server is slow, not failing. Try again.
			if !strings.Contains(err.Error(), "stalled") {
				fatal("publish %d: %v", i, err)
			}
		}
	}
	close(queue)
	endT := <-done
	seconds := endT.Sub(startT).Seconds()
	res := map[string]interface{}{
		"event":       "end",
		"phase":       "produce",
		"messages":    *messages,
		"seconds":     seconds,
		"msgsPerSec":  float64(*messages) / seconds,
		"driverCpuMs": cpuMs() - startCpu,
	}
	latencyFields(res, lat)
	emit(res)

	if !*consume {
		return
	}
	emit(map[string]interface{}{"event": "start", "phase": "consume"})
	startCpu = cpuMs()
	startT = time.Now()
	read, bytes, passes := 0, 0, 0
	// Whole passes over the stream from its start, each with a new pull consumer, until -consume-seconds have passed.
	for passes == 0 || time.Since(startT).Seconds() < *consumeSeconds {
		sub, err := js.PullSubscribe(*subject, fmt.Sprintf("bench-reader-%d", passes), nats.BindStream(*stream), nats.AckNone())
		if err != nil {
			fatal("pull subscribe: %v", err)
		}
		for n := 0; n < total; {
			want := *fetchBatch
			if total-n < want {
				want = total - n
			}
			msgs, err := sub.Fetch(want, nats.MaxWait(10*time.Second))
			if err != nil {
				fatal("fetch after %d of %d: %v", n, total, err)
			}
			for _, m := range msgs {
				bytes += len(m.Data)
			}
			n += len(msgs)
			read += len(msgs)
		}
		passes++
		sub.Unsubscribe()
	}
	seconds = time.Since(startT).Seconds()
	if bytes != read**size {
		fatal("consumed %d bytes for %d messages of %d", bytes, read, *size)
	}
	emit(map[string]interface{}{
		"event":       "end",
		"phase":       "consume",
		"messages":    read,
		"passes":      passes,
		"seconds":     seconds,
		"msgsPerSec":  float64(read) / seconds,
		"driverCpuMs": cpuMs() - startCpu,
	})
}
