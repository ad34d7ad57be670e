import { telemetryContract } from '@streamline/contracts';
import { encodeRecord } from './producer-record';

const reading = {
  deviceId: 'dev-1',
  ts: 1_700_000_000_000,
  metrics: { t: 21.5 },
  ingestedAt: 1_700_000_000_500,
};

describe('encodeRecord', () => {
  it('encodes a contract record as JSON with the contract headers, checked against the contract', () => {
    const encoded = encodeRecord(
      {
        topic: 't',
        contract: telemetryContract,
        key: 'dev-1',
        value: reading,
        traceparent: undefined,
      },
      5,
    );
    expect(JSON.parse(String(encoded.message.value))).toEqual(reading);
    expect(encoded.message.headers).toMatchObject({ schema: telemetryContract.schemaId });
    expect(() =>
      encodeRecord(
        { topic: 't', contract: telemetryContract, key: 'dev-1', value: { bad: 1 } as never },
        5,
      ),
    ).toThrow(/iot.telemetry/);
  });

  it('skips the second check of a prevalidated record, with the same encoding', () => {
    const checked = encodeRecord(
      { topic: 't', contract: telemetryContract, key: 'k', value: reading },
      5,
    );
    const trusted = encodeRecord(
      {
        topic: 't',
        contract: telemetryContract,
        key: 'k',
        value: { bad: 1 } as never,
        prevalidated: true,
      },
      5,
    );
    expect(JSON.parse(String(trusted.message.value))).toEqual({ bad: 1 });
    expect(trusted.message.headers).toEqual(checked.message.headers);
  });
});
