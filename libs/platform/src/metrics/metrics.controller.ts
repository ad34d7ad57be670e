import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import type { FastifyReply } from 'fastify';
import { register } from 'prom-client';

/** Serves the default registry; written for Fastify's reply object. */
@ApiExcludeController()
@Controller()
export class MetricsController extends PrometheusController {
  @Get()
  override async index(@Res() reply: FastifyReply): Promise<string> {
    const body = await register.metrics();
    void reply.header('Content-Type', register.contentType).send(body);
    return body;
  }
}
