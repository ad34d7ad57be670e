package dev.streamline.bench;

import dev.streamline.bench.TelemetryJson.Reading;
import dev.streamline.bench.TelemetryJson.WindowOut;
import dev.streamline.bench.TelemetryJson.WindowState;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KGroupedStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The aggregator's telemetry windows in the Kafka Streams DSL, the bench's reference: per device
 * (the input key), on event time `ts`, 1-minute tumbling and 5-minute windows advancing by 1
 * minute, grace 10 s, each with count and per-metric count/min/max/sum, emitted once final.
 *
 * <p>Arguments: brokers input-topic output-1m-topic output-5m-topic application-id state-dir.
 * Runs until SIGTERM (closes and leaves the group) or SIGKILL.
 */
public final class TelemetryWindowsStreams {
  static final Duration GRACE = Duration.ofSeconds(10);

  private TelemetryWindowsStreams() {}

  public static void main(String[] args) throws InterruptedException {
    if (args.length != 6) {
      System.err.println(
          "usage: brokers input-topic output-1m-topic output-5m-topic application-id state-dir");
      System.exit(2);
    }
    String brokers = args[0];
    String input = args[1];
    String output1m = args[2];
    String output5m = args[3];
    String applicationId = args[4];
    String stateDir = args[5];

    Serde<Reading> readingSerde = TelemetryJson.serde(Reading.class);
    Serde<WindowState> stateSerde = TelemetryJson.windowStateSerde();
    Serde<WindowOut> outSerde = TelemetryJson.serde(WindowOut.class);

    StreamsBuilder builder = new StreamsBuilder();
    KGroupedStream<String, Reading> byDevice =
        builder
            .stream(
                input,
                Consumed.with(Serdes.String(), readingSerde)
                    .withTimestampExtractor(new TelemetryJson.ReadingTimestamp()))
            .groupByKey();
    windows(
        byDevice,
        TimeWindows.ofSizeAndGrace(Duration.ofMinutes(1), GRACE),
        "w1m",
        stateSerde,
        outSerde,
        output1m);
    windows(
        byDevice,
        TimeWindows.ofSizeAndGrace(Duration.ofMinutes(5), GRACE).advanceBy(Duration.ofMinutes(1)),
        "w5m",
        stateSerde,
        outSerde,
        output5m);

    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 2);
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    // Leave the group on close, so the bench can delete it right after SIGTERM.
    props.put(StreamsConfig.mainConsumerPrefix("internal.leave.group.on.close"), true);

    KafkaStreams streams = new KafkaStreams(builder.build(), props);
    CountDownLatch closed = new CountDownLatch(1);
    streams.setUncaughtExceptionHandler(
        e -> {
          e.printStackTrace();
          closed.countDown();
          return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler
              .StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  streams.close(Duration.ofSeconds(20));
                  closed.countDown();
                }));
    streams.start();
    System.out.println("STARTED");
    closed.await();
    if (streams.state() == KafkaStreams.State.ERROR) System.exit(1);
  }

  private static void windows(
      KGroupedStream<String, Reading> byDevice,
      TimeWindows spec,
      String name,
      Serde<WindowState> stateSerde,
      Serde<WindowOut> outSerde,
      String output) {
    byDevice
        .windowedBy(spec)
        .aggregate(
            WindowState::new,
            (deviceId, reading, state) -> state.add(reading),
            Materialized.<String, WindowState, WindowStore<Bytes, byte[]>>as(name + "-store")
                .withKeySerde(Serdes.String())
                .withValueSerde(stateSerde))
        .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()).withName(name + "-final"))
        .toStream()
        .map(
            (w, state) ->
                KeyValue.pair(
                    w.key(),
                    WindowOut.of(w.key(), w.window().start(), w.window().end(), state)))
        .to(output, Produced.with(Serdes.String(), outSerde));
  }
}
