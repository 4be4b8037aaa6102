// sarama-producer: the Kafka benchmark's sarama contender. It produces every line of a file of
// pre-rendered JSON lines to one topic the way DeepFlow's ingester kafka exporter does
// (server/ingester/exporters/kafka_exporter/exporter.go): queue-count goroutines, each with its own
// SyncProducer created on its first batch, sending batches of batch-size messages with
// SendMessages; the batches are dealt to the queues round-robin (DeepFlow's Put). Producer
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
	"bytes"
	"flag"
	"fmt"
	"io/ioutil"
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
	data, err := ioutil.ReadFile(*file)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var lines [][]byte
	for _, l := range bytes.Split(data, []byte{'\n'}) {
		if len(l) > 0 {
			lines = append(lines, l)
		}
	}
	var batches [][][]byte
	for i := 0; i < len(lines); i += *batch {
		end := i + *batch
		if end > len(lines) {
			end = len(lines)
		}
		batches = append(batches, lines[i:end])
	}

	errs := make(chan error, *queues)
	var wg sync.WaitGroup
	for q := 0; q < *queues; q++ {
		wg.Add(1)
		go func(q int) {
			defer wg.Done()
			var producer sarama.SyncProducer
			for b := q; b < len(batches); b += *queues {
				if producer == nil {
					p, err := newProducer(strings.Split(*brokers, ","))
					if err != nil {
						errs <- fmt.Errorf("queue %d: new producer: %w", q, err)
						return
					}
					producer = p
					defer producer.Close()
				}
				msgs := make([]*sarama.ProducerMessage, len(batches[b]))
				for i, l := range batches[b] {
					msgs[i] = &sarama.ProducerMessage{Topic: *topic, Key: nil, Value: sarama.ByteEncoder(l)}
				}
				if err := producer.SendMessages(msgs); err != nil {
					errs <- fmt.Errorf("queue %d: batch %d: %w", q, b, err)
					return
				}
			}
		}(q)
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
	fmt.Printf("sent %d\n", len(lines))
}
