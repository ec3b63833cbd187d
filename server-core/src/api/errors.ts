import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

/** An error whose message is meant for the client. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    /** Headers the answer carries (Retry-After on 429). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const badRequest = (message: string) => new ApiError(400, 'BadRequest', message);
export const notFound = (message: string) => new ApiError(404, 'NotFound', message);
export const conflict = (message: string) => new ApiError(409, 'Conflict', message);
export const forbidden = (message = 'This needs administrator rights.') => new ApiError(403, 'Forbidden', message);
export const tooManyRequests = (message: string, retryAfterMs: number) =>
  new ApiError(429, 'TooManyRequests', message, { 'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) });
export const unauthorized = (message = 'Log in or send an API key (X-Api-Key, X-Octopus-ApiKey or Authorization: Bearer).') =>
  new ApiError(401, 'Unauthorized', message);

const CODE_FOR_STATUS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  413: 'PayloadTooLarge',
  415: 'UnsupportedMediaType',
  429: 'TooManyRequests',
  503: 'DatabaseUnavailable',
};

type AjvError = { instancePath: string; keyword: string; message?: string; params: Record<string, unknown> };

/** Turns a schema validation failure into one sentence naming the field. */
function describeValidation(errors: AjvError[], context: string): string {
  const e = errors[0]!;
  const base = context === 'body' ? '' : `${context}.`;
  const field = (p: string) => `${base}${p.replace(/^\//, '').replace(/\//g, '.')}`;
  if (e.keyword === 'additionalProperties') {
    const name = field(`${e.instancePath}/${String(e.params.additionalProperty)}`).replace(/^\./, '');
    return `${name} is not a known field`;
  }
  if (e.keyword === 'required') {
    return `${field(`${e.instancePath}/${String(e.params.missingProperty)}`).replace(/^\./, '')} is required`;
  }
  const name = field(e.instancePath) || (context === 'body' ? 'the request body' : context);
  return `${name} ${e.message ?? 'is invalid'}`;
}

function isDatabaseDown(err: unknown): boolean {
  const code = (err as { code?: string }).code ?? '';
  return ['ECONNREFUSED', 'ECONNRESET', '57P01', '57P03', '08006', '08001', 'SQLITE_CANTOPEN', 'SQLITE_IOERR'].includes(code)
    || /connection terminated|database.*(unavailable|closed)|the database connection is not open/i.test(String((err as Error).message));
}

/** Every error leaves as `{"error":{"code","message"}}`; no stack traces reach the client. */
export function errorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  if (err instanceof ApiError) {
    void reply.status(err.statusCode).headers(err.headers).send({ error: { code: err.code, message: err.message } });
    return;
  }
  if (err.validation) {
    const message = describeValidation(err.validation as AjvError[], err.validationContext ?? 'body');
    void reply.status(400).send({ error: { code: 'BadRequest', message } });
    return;
  }
  // A shared-storage call refused or past its deadline (marked in storage/storageIo.ts, which
  // depends on this folder). Its paths go to the node log only.
  if ((err as { fromStorage?: unknown }).fromStorage === true) {
    req.log.warn({ err }, 'storage failed');
    const reason = (err as { publicReason?: string }).publicReason ?? 'the storage failed';
    void reply.status(503).send({ error: { code: 'StorageUnavailable', message: `The storage failed: ${reason}. Try again shortly.` } });
    return;
  }
  if (isDatabaseDown(err)) {
    req.log.warn({ err }, 'database unavailable');
    void reply.status(503).send({ error: { code: 'DatabaseUnavailable', message: 'The database cannot be reached. Try again shortly.' } });
    return;
  }
  const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
  if (status === 500) {
    req.log.error({ err }, 'request failed');
    void reply.status(500).send({ error: { code: 'InternalError', message: 'Something went wrong on the server; the node log has the details.' } });
    return;
  }
  const message =
    status === 413 ? 'The request body is larger than this endpoint accepts.' :
    err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || /JSON/.test(err.message) ? 'The request body is not valid JSON.' :
    err.message;
  void reply.status(status).send({ error: { code: CODE_FOR_STATUS[status] ?? 'BadRequest', message } });
}

export function notFoundHandler(req: FastifyRequest, reply: FastifyReply): void {
  void reply.status(404).send({ error: { code: 'NotFound', message: `No route ${req.method} ${req.url.split('?')[0]}` } });
}
