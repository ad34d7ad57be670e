import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/** Builds the service's OpenAPI document from its controllers and serves it at `GET /docs`. */
export function serveOpenApi(
  app: INestApplication,
  info: { title: string; description: string; version: string },
): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(info.title)
      .setDescription(info.description)
      .setVersion(info.version)
      .build(),
  );
  app
    .getHttpAdapter()
    .get('/docs', (_request: unknown, reply: { send(body: unknown): void }) =>
      reply.send(document),
    );
}
