import type { Kysely } from 'kysely';
import type { ShoalDialect } from '../dialects/dialect.js';

/**
 * Listening agents: the address a node dials (`https://host:port` of the agent's listening
 * port), kept on the target; polling targets have none.
 */
export async function up(db: Kysely<any>, _dialect: ShoalDialect): Promise<void> {
  await db.schema.alterTable('targets').addColumn('address', 'varchar(500)').execute();
}
