import type { Kysely } from 'kysely';

/**
 * The identity of the process family behind a node name: a random id its data dir keeps
 * from its first start. Another data dir with the same node name is refused while the
 * name's holder is alive; the holder's heartbeat and claims name it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('nodes').addColumn('node_id', 'varchar(100)').execute();
}
