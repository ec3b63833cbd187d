import { Type, type Static } from '@sinclair/typebox';
import { AgentWorkItem } from './targets.js';

/**
 * The channel to a listening agent: a node dials the agent (mutual TLS, each side pinning the
 * other's thumbprint) and both sides write one JSON frame per line. The node hands out work;
 * the agent sends the same posts a polling agent sends to the comms port (heartbeats, log
 * chunks, results, by path), each answered with the status and body the comms port would give.
 */

/** First frame from the agent once it accepted the node's certificate. */
export const ListeningHello = Type.Object({ type: Type.Literal('hello'), agentVersion: Type.String({ maxLength: 50 }), os: Type.String({ maxLength: 200 }) }, { additionalProperties: false });
export type ListeningHello = Static<typeof ListeningHello>;

/** Node → agent: run this work (claimed for this agent; its token rides on every post about it). */
export const ListeningWork = Type.Object({ type: Type.Literal('work'), item: AgentWorkItem }, { additionalProperties: false });
export type ListeningWork = Static<typeof ListeningWork>;

/** Agent → node: a post of the comms port (`AGENT_PATHS`), numbered so its answer finds it. */
export const ListeningPost = Type.Object({ type: Type.Literal('post'), ref: Type.Integer({ minimum: 0 }), path: Type.String({ maxLength: 200 }), body: Type.Unknown() }, { additionalProperties: false });
export type ListeningPost = Static<typeof ListeningPost>;

/** Node → agent: the answer to post `ref`. */
export const ListeningAnswer = Type.Object({ type: Type.Literal('answer'), ref: Type.Integer({ minimum: 0 }), status: Type.Integer(), body: Type.Unknown() }, { additionalProperties: false });
export type ListeningAnswer = Static<typeof ListeningAnswer>;

/**
 * Agent → node: a GET of the comms port (a package download, `AGENT_PATHS.package`), answered
 * with a `head`, the body in `data` frames and an `end`; `cancel` stops the node sending.
 */
export const ListeningGet = Type.Object(
  { type: Type.Literal('get'), ref: Type.Integer({ minimum: 0 }), path: Type.String({ maxLength: 200 }), headers: Type.Record(Type.String(), Type.String({ maxLength: 500 })) },
  { additionalProperties: false },
);
export type ListeningGet = Static<typeof ListeningGet>;
export const ListeningCancel = Type.Object({ type: Type.Literal('cancel'), ref: Type.Integer({ minimum: 0 }) }, { additionalProperties: false });

/** Node → agent: the status and headers of GET `ref`. */
export const ListeningHead = Type.Object(
  { type: Type.Literal('head'), ref: Type.Integer({ minimum: 0 }), status: Type.Integer(), headers: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()])) },
  { additionalProperties: false },
);
/** Node → agent: the next bytes of GET `ref`, base64. */
export const ListeningData = Type.Object({ type: Type.Literal('data'), ref: Type.Integer({ minimum: 0 }), chunk: Type.String() }, { additionalProperties: false });
/** Node → agent: GET `ref` is complete, or broke (`error`). */
export const ListeningEnd = Type.Object({ type: Type.Literal('end'), ref: Type.Integer({ minimum: 0 }), error: Type.Optional(Type.String()) }, { additionalProperties: false });

export const ListeningFromAgent = Type.Union([ListeningHello, ListeningPost, ListeningGet, ListeningCancel]);
export type ListeningFromAgent = Static<typeof ListeningFromAgent>;
export const ListeningFromNode = Type.Union([ListeningWork, ListeningAnswer, ListeningHead, ListeningData, ListeningEnd]);
export type ListeningFromNode = Static<typeof ListeningFromNode>;

/** The port a listening agent opens unless told otherwise. */
export const DEFAULT_LISTEN_PORT = 10933;
