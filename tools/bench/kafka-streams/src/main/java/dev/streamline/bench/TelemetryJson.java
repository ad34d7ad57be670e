package dev.streamline.bench;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.TimestampExtractor;

/** The bench's records and their serdes: JSON (Jackson) in and out, binary window state. */
final class TelemetryJson {
  static final ObjectMapper MAPPER =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private TelemetryJson() {}

  /** A telemetry reading as the bench writes it: {"deviceId","ts","metrics":{...},"ingestedAt"}. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public static final class Reading {
    public String deviceId;
    public long ts;
    public Map<String, Double> metrics;
  }

  /** Running count/min/max/sum of one metric in one window. */
  public static final class MetricStats {
    public long count;
    public double min;
    public double max;
    public double sum;
  }

  /** One device's window state: its readings and their metrics (the changelog value). */
  public static final class WindowState {
    public long count;
    public Map<String, MetricStats> metrics = new LinkedHashMap<>();

    WindowState add(Reading reading) {
      count += 1;
      if (reading.metrics == null) return this;
      for (Map.Entry<String, Double> e : reading.metrics.entrySet()) {
        double v = e.getValue();
        MetricStats s = metrics.get(e.getKey());
        if (s == null) {
          s = new MetricStats();
          s.min = v;
          s.max = v;
          metrics.put(e.getKey(), s);
        } else {
          if (v < s.min) s.min = v;
          if (v > s.max) s.max = v;
        }
        s.count += 1;
        s.sum += v;
      }
      return this;
    }
  }

  /** A closed window as published (the aggregator's TelemetryWindow shape). */
  public static final class WindowOut {
    public String windowId;
    public String deviceId;
    public long windowStart;
    public long windowEnd;
    public long count;
    public Map<String, Map<String, Object>> metrics = new LinkedHashMap<>();

    static WindowOut of(String deviceId, long start, long end, WindowState state) {
      WindowOut out = new WindowOut();
      out.windowId = deviceId + ":" + start + ":" + (end - start);
      out.deviceId = deviceId;
      out.windowStart = start;
      out.windowEnd = end;
      out.count = state.count;
      for (Map.Entry<String, MetricStats> e : state.metrics.entrySet()) {
        MetricStats s = e.getValue();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", s.count);
        m.put("min", s.min);
        m.put("max", s.max);
        m.put("sum", s.sum);
        m.put("avg", Math.min(s.max, Math.max(s.min, s.sum / s.count)));
        out.metrics.put(e.getKey(), m);
      }
      return out;
    }
  }

  static <T> Serde<T> serde(Class<T> type) {
    Serializer<T> serializer =
        (topic, value) -> {
          if (value == null) return null;
          try {
            return MAPPER.writeValueAsBytes(value);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        };
    Deserializer<T> deserializer =
        (topic, bytes) -> {
          if (bytes == null) return null;
          try {
            return MAPPER.readValue(bytes, type);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        };
    return Serdes.serdeFrom(serializer, deserializer);
  }

  /**
   * The window state in the stores and their changelogs: a compact binary form (count, then per
   * metric its name, count, min, max, sum), not JSON, since Kafka Streams reads and writes it on
   * every update of every window a reading is in (six per reading).
   */
  static Serde<WindowState> windowStateSerde() {
    Serializer<WindowState> serializer =
        (topic, state) -> {
          if (state == null) return null;
          byte[][] names = new byte[state.metrics.size()][];
          int size = Long.BYTES + Integer.BYTES;
          int i = 0;
          for (String name : state.metrics.keySet()) {
            names[i] = name.getBytes(StandardCharsets.UTF_8);
            size += Integer.BYTES + names[i].length + Long.BYTES + 3 * Double.BYTES;
            i++;
          }
          ByteBuffer out = ByteBuffer.allocate(size);
          out.putLong(state.count).putInt(names.length);
          i = 0;
          for (MetricStats s : state.metrics.values()) {
            out.putInt(names[i].length).put(names[i]);
            out.putLong(s.count).putDouble(s.min).putDouble(s.max).putDouble(s.sum);
            i++;
          }
          return out.array();
        };
    Deserializer<WindowState> deserializer =
        (topic, bytes) -> {
          if (bytes == null) return null;
          ByteBuffer in = ByteBuffer.wrap(bytes);
          WindowState state = new WindowState();
          state.count = in.getLong();
          int n = in.getInt();
          for (int i = 0; i < n; i++) {
            byte[] name = new byte[in.getInt()];
            in.get(name);
            MetricStats s = new MetricStats();
            s.count = in.getLong();
            s.min = in.getDouble();
            s.max = in.getDouble();
            s.sum = in.getDouble();
            state.metrics.put(new String(name, StandardCharsets.UTF_8), s);
          }
          return state;
        };
    return Serdes.serdeFrom(serializer, deserializer);
  }

  /** Event time = the reading's `ts` (the value is already deserialized when this is called). */
  static final class ReadingTimestamp implements TimestampExtractor {
    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
      return record.value() instanceof Reading r ? r.ts : partitionTime;
    }
  }
}
