import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { AGENT_OUTPUT_LIMITS, AgentLogBody, AgentResultBody, AgentTokenBody, outputVariablesSize } from '../../contract/targets.js';
import type { ShoalDb } from '../../db/dialects/dialect.js';
import { appendLog, complete, heartbeat, type PostOutcome } from './posts.js';

/** What a post about a piece of work gets: an HTTP status and a JSON body (null: none). */
export interface PostAnswer {
  status: number;
  body: unknown;
}

const WORK_PATH = /^\/agent\/work\/(\d+)\/(heartbeat|log|result)$/;

const badRequest = (message: string): PostAnswer => ({ status: 400, body: { error: { code: 'BadRequest', message } } });

/** The first schema error of the body, as the API words it; undefined when it fits. */
const invalid = (schema: TSchema, body: unknown): string | undefined => {
  const first = Value.Errors(schema, body).First();
  return first && `${first.path || 'body'}: ${first.message}`;
};

/**
 * An agent's heartbeat, log chunk or result about one piece of its work (`AGENT_PATHS`),
 * whichever way it came: a poll-mode post to the comms port, or a frame on the channel a node
 * opened to a listening agent. Same checks, same answers, same idempotency.
 */
export async function serveWorkPost(shoal: ShoalDb, masterKey: Buffer, targetId: number, path: string, body: unknown): Promise<PostAnswer> {
  const m = WORK_PATH.exec(path);
  if (!m) return badRequest(`There is no ${path} on the comms port.`);
  const id = Number(m[1]);
  const kind = m[2] as 'heartbeat' | 'log' | 'result';
  const schema = kind === 'heartbeat' ? AgentTokenBody : kind === 'log' ? AgentLogBody : AgentResultBody;
  const why = invalid(schema, body);
  if (why) return badRequest(why);
  const outputs = kind === 'result' ? ((body as AgentResultBody).outputVariables ?? []) : [];
  if (outputVariablesSize(outputs) > AGENT_OUTPUT_LIMITS.total) return badRequest(`The output variables hold more than ${AGENT_OUTPUT_LIMITS.total} characters in all.`);
  let outcome: PostOutcome;
  if (kind === 'heartbeat') outcome = await heartbeat(shoal, targetId, id, (body as { token: string }).token);
  else if (kind === 'log') {
    const b = body as AgentLogBody;
    outcome = await appendLog(shoal, targetId, id, b.token, b.seq, b.lines);
  } else outcome = await complete(shoal, masterKey, targetId, id, body as AgentResultBody);
  if (!outcome.ok) return { status: outcome.status, body: { error: { code: outcome.status === 409 ? 'Conflict' : outcome.status === 404 ? 'NotFound' : 'Unavailable', message: outcome.message } } };
  return kind === 'heartbeat' ? { status: 200, body: { cancel: !!outcome.cancel } } : { status: 204, body: null };
}
