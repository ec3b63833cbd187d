import {
  FetchNode,
  OffsetNode,
  OperationNodeTransformer,
  TopNode,
  ValueNode,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type SelectQueryNode,
  type UnknownRow,
} from 'kysely';

/** LIMIT n → `TOP (n)`, or `OFFSET m ROWS FETCH NEXT n ROWS ONLY` when the query is ordered. */
class PagingTransformer extends OperationNodeTransformer {
  protected override transformSelectQuery(node: SelectQueryNode): SelectQueryNode {
    const n = super.transformSelectQuery(node);
    if (!n.limit) return n;
    const limit = n.limit.limit;
    if (!ValueNode.is(limit)) throw new Error('SQL Server paging needs a literal or parameter row count');
    const count = Number(limit.value);
    const { limit: _limit, ...rest } = n;
    if (n.orderBy) {
      return { ...rest, offset: n.offset ?? OffsetNode.create(ValueNode.createImmediate(0)), fetch: FetchNode.create(count, 'only') };
    }
    if (n.offset) throw new Error('SQL Server needs ORDER BY to skip rows');
    return { ...rest, top: TopNode.create(count) };
  }
}

/**
 * The rest of Shoal pages with `.limit()`/`.offset()`, which SQL Server does not know;
 * this plugin rewrites them so the same queries run on all three databases.
 */
export class MssqlPagingPlugin implements KyselyPlugin {
  private readonly transformer = new PagingTransformer();
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return this.transformer.transformNode(args.node);
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}
