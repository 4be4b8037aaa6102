// sarama-producer: the Kafka benchmark's sarama contender. It produces every line of a file of
// pre-rendered JSON lines to one topic the way DeepFlow's ingester kafka exporter does
// (server/ingester/exporters/kafka_exporter/exporter.go): queue-count goroutines, each with its own
// SyncProducer created on its first batch, sending batches of batch-size messages with
// SendMessages; the batches are dealt to the queues round-robin (DeepFlow's Put) as the file is
// read (each queue holds at most 2 batches, so memory stays bounded whatever the file). Producer
// settings are DeepFlow's newProducer() on top of sarama.NewConfig(): acks=all (WaitForAll),
// Retry.Max 3, Return.Successes, snappy, default hash partitioner (random partition for a nil
// key), ClientID "sarama"; Version is set to V2_1_0_0, the default of the sarama DeepFlow pins
// (IBM/sarama v1.46.0) — Debian's older sarama defaults to V0_8_2_0. A failed batch is an error
// here (DeepFlow drops and counts it): the benchmark wants every message delivered.
// Built offline against Debian's golang-github-shopify-sarama-dev (GOPATH=/usr/share/gocode).
// Usage: sarama-producer -brokers host:port[,…] -topic T -file kafka.jsonl [-queues 4] [-batch 1024]
// Prints "sent N" on standard output when every message is acknowledged.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/Shopify/sarama"
)

func newProducer(brokers []string) (sarama.SyncProducer, error) {
	config := sarama.NewConfig()
	config.Version = sarama.V2_1_0_0
	config.Producer.RequiredAcks = sarama.WaitForAll
	config.Producer.Retry.Max = 3
	config.Producer.Return.Successes = true
	config.Producer.Compression = sarama.CompressionSnappy
	return sarama.NewSyncProducer(brokers, config)
}

func main() {
	brokers := flag.String("brokers", "", "bootstrap brokers, comma-separated")
	topic := flag.String("topic", "", "topic")
	file := flag.String("file", "", "JSON lines, one message each")
	queues := flag.Int("queues", 4, "queue goroutines, each with its own SyncProducer (DeepFlow's queue-count)")
	batch := flag.Int("batch", 1024, "messages per SendMessages (DeepFlow's batch-size)")
	flag.Parse()
	if *brokers == "" || *topic == "" || *file == "" || *queues < 1 || *batch < 1 {
		flag.Usage()
		os.Exit(2)
	}
	f, err := os.Open(*file)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer f.Close()

	// One bounded queue per goroutine (DeepFlow: a ring buffer per queue); batches are dealt to them
	// round-robin as they are read, so the file is never held in memory whole.
	queueCh := make([]chan [][]byte, *queues)
	for q := range queueCh {
		queueCh[q] = make(chan [][]byte, 2)
	}
	errs := make(chan error, *queues+1)
	var wg sync.WaitGroup
	for q := 0; q < *queues; q++ {
		wg.Add(1)
		go func(q int) {
			defer wg.Done()
			var producer sarama.SyncProducer
			failed := false
			for lines := range queueCh[q] {
				if failed {
					continue // drain, so the reader never blocks on a queue that gave up
				}
				if producer == nil {
					p, err := newProducer(strings.Split(*brokers, ","))
					if err != nil {
						errs <- fmt.Errorf("queue %d: new producer: %w", q, err)
						failed = true
						continue
					}
					producer = p
					defer producer.Close()
				}
				msgs := make([]*sarama.ProducerMessage, len(lines))
				for i, l := range lines {
					msgs[i] = &sarama.ProducerMessage{Topic: *topic, Key: nil, Value: sarama.ByteEncoder(l)}
				}
				if err := producer.SendMessages(msgs); err != nil {
					errs <- fmt.Errorf("queue %d: %w", q, err)
					failed = true
				}
			}
		}(q)
	}

	sent := 0
	next := 0
	batchLines := make([][]byte, 0, *batch)
	scanner := bufio.NewScanner(f)
	scanner.Buffer(make([]byte, 1<<20), 64<<20)
	for scanner.Scan() {
		if len(scanner.Bytes()) == 0 {
			continue
		}
		batchLines = append(batchLines, append([]byte(nil), scanner.Bytes()...))
		if len(batchLines) == *batch {
			queueCh[next%*queues] <- batchLines
			next++
			sent += len(batchLines)
			batchLines = make([][]byte, 0, *batch)
		}
	}
	if len(batchLines) > 0 {
		queueCh[next%*queues] <- batchLines
		sent += len(batchLines)
	}
	if err := scanner.Err(); err != nil {
		errs <- fmt.Errorf("reading %s: %w", *file, err)
	}
	for _, ch := range queueCh {
		close(ch)
	}
	wg.Wait()
	close(errs)
	failed := false
	for err := range errs {
		fmt.Fprintln(os.Stderr, err)
		failed = true
	}
	if failed {
		os.Exit(1)
	}
	fmt.Printf("sent %d\n", sent)
}
