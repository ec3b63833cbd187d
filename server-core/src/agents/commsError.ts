const CODES: Record<number, string> = { 403: 'Forbidden', 404: 'NotFound', 416: 'RangeNotSatisfiable' };

/** The body the comms port refuses a request with (either channel: the port itself, or a listening agent's connection). */
export const commsErrorBody = (status: number, message: string) => ({ error: { code: CODES[status] ?? 'BadRequest', message } });
