import { Controller } from '@nestjs/common';
import {
  ClientProxyFactory,
  MessagePattern,
  Payload,
  RpcException,
  type ClientProxy,
} from '@nestjs/microservices';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { rpcSubject } from '@streamline/contracts';
import { TEST_ENV, uniqueName } from '@streamline/testing';
import { firstValueFrom, timeout } from 'rxjs';
import { connectNatsRpc, natsRpcClientOptions } from './nats-rpc';

const service = uniqueName('it-rpc');
const ECHO = rpcSubject(service, 'echo');
const FAIL = rpcSubject(service, 'fail');

@Controller()
class EchoController {
  @MessagePattern(ECHO)
  echo(@Payload() data: { n: number }): { n: number; doubled: number } {
    return { n: data.n, doubled: data.n * 2 };
  }

  @MessagePattern(FAIL)
  fail(): never {
    throw new RpcException({ code: 'NOT_FOUND', message: 'no such thing' });
  }
}

describe('core NATS request-reply through @nestjs/microservices', () => {
  let app: NestFastifyApplication;
  let client: ClientProxy;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ controllers: [EchoController] }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
    connectNatsRpc(app, { url: TEST_ENV.natsUrl, queue: service });
    await app.startAllMicroservices();
    await app.init();
    client = ClientProxyFactory.create(natsRpcClientOptions({ url: TEST_ENV.natsUrl }));
    await client.connect();
  });

  afterAll(async () => {
    await client?.close();
    await app?.close();
  });

  it('answers a ClientProxy request on a streamline.rpc subject', async () => {
    expect(ECHO).toBe(`streamline.rpc.${service}.echo`);
    const reply = await firstValueFrom(client.send(ECHO, { n: 21 }).pipe(timeout(5_000)));
    expect(reply).toEqual({ n: 21, doubled: 42 });
  });

  it('returns an RpcException to the caller as an error', async () => {
    await expect(firstValueFrom(client.send(FAIL, {}).pipe(timeout(5_000)))).rejects.toEqual({
      code: 'NOT_FOUND',
      message: 'no such thing',
    });
  });
});
