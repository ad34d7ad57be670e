import { describeDeploymentConfig } from '@streamline/testing';
import { cdcSinkConfigSchema } from './cdc-sink.config';
import { cdcSinkService } from '../cdc-sink.service';

describeDeploymentConfig(cdcSinkService, { port: 3005 });

describe('cdc-sink configuration', () => {
  const env = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/streamline' };

  it('refuses an alerts consumer name that JetStream would refuse, naming the variable', () => {
    const result = cdcSinkConfigSchema.safeParse({ ...env, CDC_SINK_ALERTS_CONSUMER: 'a.b' });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['CDC_SINK_ALERTS_CONSUMER']);
    expect(cdcSinkConfigSchema.parse(env).CDC_SINK_ALERTS_CONSUMER).toBe('cdc-sink-alerts-v1');
  });
});
