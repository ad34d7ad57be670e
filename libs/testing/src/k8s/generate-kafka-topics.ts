/**
 * `npm run k8s:topics`: writes the overlays' KafkaTopic files from libs/contracts TOPIC_SETTINGS.
 * `npm run k8s:topics -- --check` only compares, and exits 1 when a file is stale.
 */
import { syncKafkaTopicFiles } from './kafka-topics-manifest';

const check = process.argv.includes('--check');
const stale = syncKafkaTopicFiles(check ? 'check' : 'write');
if (stale.length === 0) {
  process.stdout.write('k8s topics: up to date\n');
} else if (check) {
  process.stderr.write(`k8s topics: stale, run npm run k8s:topics: ${stale.join(', ')}\n`);
  process.exitCode = 1;
} else {
  process.stdout.write(`k8s topics: wrote ${stale.join(', ')}\n`);
}
