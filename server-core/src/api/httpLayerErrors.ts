import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from './errors.js';
import type { Socket } from 'node:net';

const body = (code: string, message: string) => JSON.stringify({ error: { code, message } });

/**
 * Errors Node's HTTP parser finds before Fastify sees a request (malformed request line,
 * headers too large, a client too slow to send them), written in the API's error shape.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason, code, message] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'Request Timeout', 'RequestTimeout', 'The request was not received in time.']
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', 'HeadersTooLarge', 'The request headers are larger than the server accepts.']
        : [400, 'Bad Request', 'BadRequest', 'The request is not valid HTTP.'];
  const text = body(code, message);
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
  }
  socket.destroy(err);
}

/** Errors of Fastify's router (a path it cannot decode, a path segment over the limit), in the API's shape. */
export function frameworkErrors(err: Error & { code?: string }, _req: FastifyRequest, reply: FastifyReply): void {
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    void reply.status(414).type('application/json').send(body('UriTooLong', 'A part of the request path is longer than the server accepts.'));
    return;
  }
  void reply.status(400).type('application/json').send(body('BadRequest', 'The request path is not valid.'));
}

/** Longer request targets are refused with 414 (Node itself refuses headers over 16 KiB with 431). */
export const MAX_URL_LENGTH = 8192;

export function refuseLongUrls(app: FastifyInstance): void {
  app.addHook('onRequest', async (req) => {
    if ((req.originalUrl ?? req.url).length > MAX_URL_LENGTH) {
      throw new ApiError(414, 'UriTooLong', `The request target is longer than ${MAX_URL_LENGTH} characters.`);
    }
  });
}
