/** A piece of agent work is the agent's while it heartbeats within this (the agent beats every tenth of it, so a cancel rides on the next beat within 2 s). */
export const WORK_LEASE_MS = 20_000;
/** The longest a node holds a poll open without work to hand out. */
export const MAX_POLL_HOLD_MS = 30_000;
/** Work nobody picked up within this fails (its target stopped polling after the step started). */
export const PICKUP_TIMEOUT_MS = 90_000;
export const AGENT_WORK_CHANNEL = 'shoal_agent_work';
