import { readFileSync } from 'node:fs';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
  version: string;
  description?: string;
};

/** The Content-Security-Policy of the docs pages: everything from this daemon, nothing from elsewhere. */
const CSP =
  "default-src 'self'; base-uri 'self'; img-src 'self' data:; object-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'self'";

/**
 * OpenAPI 3 at `/docs/json` (and `/docs/yaml`), Swagger UI at `/docs`, its assets served from the
 * package (works offline). Call on the root instance before the route plugins, so every route is
 * seen. Swagger only reads route schemas; it adds none, so routes without schemas stay unvalidated.
 */
export function installDocs(app: FastifyInstance, opts: { bearer: boolean }): void {
  app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'offerlab',
        version: pkg.version,
        description: `${pkg.description ?? ''}\n\nErrors are \`{"code":<status>,"message":"…"}\`.`,
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      },
      ...(opts.bearer ? { security: [{ bearer: [] }] } : {}),
    },
  });
  app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: CSP,
  });
}
