import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MeterProvider as ApiMeterProvider } from '@opentelemetry/api';
import { FlowEngineError } from '@flowengine/sdk';

export interface ServeMetricsOptions {
  /** TCP port; 0 picks a free one (read it back from `port`). */
  readonly port: number;
  /** Interface to listen on. Default `127.0.0.1`: metrics are not published beyond the machine unless asked. */
  readonly host?: string | undefined;
}

export interface MetricsServer {
  /** Pass this to `attachMetrics`; every instrument created on it is served. */
  readonly meterProvider: ApiMeterProvider;
  readonly port: number;
  /** `http://<host>:<port>/metrics` */
  readonly url: string;
  /** Stops the server and the meter provider. */
  close(): Promise<void>;
}

/**
 * Serves Prometheus text on `/metrics`, backed by `@opentelemetry/sdk-metrics` and the official
 * Prometheus exporter. The exporter's own server is not used, so port 0 (a free port) works and
 * a port in use is a FlowEngineError rather than a log line.
 *
 * @example
 * const server = await serveMetrics({ port: 9464 });
 * const attached = attachMetrics(running, { meterProvider: server.meterProvider });
 */
export async function serveMetrics(options: ServeMetricsOptions): Promise<MetricsServer> {
  const host = options.host ?? '127.0.0.1';
  // Loaded here, not at the top: only a run with a metrics port needs the OpenTelemetry SDK, and
  // every other command would pay ~55 ms to load it.
  const [{ PrometheusExporter }, { MeterProvider }] = await Promise.all([
    import('@opentelemetry/exporter-prometheus'), import('@opentelemetry/sdk-metrics'),
  ]);
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const meterProvider = new MeterProvider({ readers: [exporter] });
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method === 'GET' && path === '/metrics') {
      exporter.getMetricsRequestHandler(request, response);
      return;
    }
    response.statusCode = 404;
    response.setHeader('content-type', 'text/plain; charset=utf-8');
    response.end('not found: metrics are served on GET /metrics\n');
  });
  try {
    await listen(server, options.port, host);
  } catch (error) {
    await meterProvider.shutdown().catch(() => undefined);
    const code = (error as { code?: string }).code ?? 'unknown';
    throw new FlowEngineError('FE_METRICS_LISTEN',
      `metrics endpoint: could not listen on ${host}:${options.port} (${code}); expected a free port — pick another with --metrics-port, or 0 for any free port`,
      { details: { host, port: options.port, code }, cause: error });
  }
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    meterProvider,
    port,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/metrics`,
    close() {
      closing ??= (async () => {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await meterProvider.shutdown();
      })();
      return closing;
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
