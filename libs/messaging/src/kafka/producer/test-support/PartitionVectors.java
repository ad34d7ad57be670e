// Prints key -> partition vectors computed by the Java client itself, for the murmur2 spec.
// Regenerate (from the repository root):
//   d=$(mktemp -d) && javac -d "$d" -cp "$(bash infra/infra.sh classpath)" \
//     libs/messaging/src/kafka/producer/test-support/PartitionVectors.java && \
//   java -cp "$d:$(bash infra/infra.sh classpath)" PartitionVectors
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.utils.Utils;

public class PartitionVectors {
  public static void main(String[] args) {
    String[] keys = {
      "", "a", "ab", "abc", "abcd", "abcde", "device-0", "device-1", "device-42",
      "sensor-7f3a9c", "user-1", "user-123456789", "thermostat.kitchen", "Zürich-é",
      "日本語キー", "emoji-\uD83D\uDE80", "a-rather-long-key-that-spans-many-four-byte-blocks-0123456789",
    };
    int[] counts = {1, 3, 6, 12, 50};
    StringBuilder out = new StringBuilder("[\n");
    for (int k = 0; k < keys.length; k++) {
      byte[] bytes = keys[k].getBytes(StandardCharsets.UTF_8);
      out.append("  { key: ").append(jsonString(keys[k]))
        .append(", murmur2: ").append(Utils.murmur2(bytes))
        .append(", partitions: { ");
      for (int c = 0; c < counts.length; c++) {
        if (c > 0) out.append(", ");
        out.append(counts[c]).append(": ").append(BuiltInPartitioner.partitionForKey(bytes, counts[c]));
      }
      out.append(" } },\n");
    }
    System.out.print(out.append("]\n"));
  }

  private static String jsonString(String s) {
    StringBuilder b = new StringBuilder("'");
    for (char ch : s.toCharArray()) {
      if (ch < 0x20 || ch > 0x7e) b.append(String.format("\\u%04x", (int) ch));
      else if (ch == '\'' || ch == '\\') b.append('\\').append(ch);
      else b.append(ch);
    }
    return b.append("'").toString();
  }
}
