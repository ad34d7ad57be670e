import { Logger } from '@nestjs/common';
import { nestMessagingLogger } from './nest-messaging-logger';

describe('nestMessagingLogger', () => {
  afterEach(() => jest.restoreAllMocks());

  it('forwards each level to the Nest logger with the object first and the message after', () => {
    const calls: Array<[string, unknown[]]> = [];
    for (const method of ['error', 'warn', 'log', 'debug'] as const) {
      jest.spyOn(Logger.prototype, method).mockImplementation((...args: unknown[]) => {
        calls.push([method, args]);
      });
    }
    const logger = nestMessagingLogger('kafkajs');
    logger.error({ broker: 'a' }, 'down');
    logger.warn({ n: 1 });
    logger.info({ n: 2 }, 'connected');
    logger.debug({ n: 3 }, 'fetch');
    expect(calls).toEqual([
      ['error', [{ broker: 'a' }, 'down']],
      ['warn', [{ n: 1 }]],
      ['log', [{ n: 2 }, 'connected']],
      ['debug', [{ n: 3 }, 'fetch']],
    ]);
  });
});
