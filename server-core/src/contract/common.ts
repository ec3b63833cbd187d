import { Type, type TSchema } from '@sinclair/typebox';

/** Every error the native API answers: `{"error":{"code","message"}}`. */
export const ErrorBody = Type.Object(
  { error: Type.Object({ code: Type.String(), message: Type.String() }, { additionalProperties: false }) },
  { additionalProperties: false, description: 'Every error of the native API.' },
);

export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/** An RFC 3339 time, always UTC with milliseconds as the API writes them. */
export const Timestamp = Type.String({ format: 'date-time' });

/** The space a route works in: `/api/:spaceId/…` (only Spaces-1 exists). */
export const SpaceParams = Type.Object({ spaceId: Type.String({ minLength: 1, maxLength: 50 }) });

/** An id of the deployment model; ids carry their kind (`Environments-1`). */
export const ResourceId = Type.String({ minLength: 1, maxLength: 50 });
/** One resource of a space: `/api/:spaceId/<collection>/:id`. */
export const SpaceIdParams = Type.Object({ ...SpaceParams.properties, id: ResourceId });
/** A resource id list in a request body. */
export const ResourceIds = (description: string) => Type.Array(ResourceId, { maxItems: 500, description });
/** The name of a resource of the deployment model. */
export const ResourceName = Type.String({ minLength: 1, maxLength: 200, description: 'Unique per space, whatever its case.' });
export const ResourceDescription = Type.String({ maxLength: 2000, description: "Default ''." });

/** Paging of list endpoints; both bounded, so no value reaches the database unchecked. */
export const PagingFields = {
  take: Type.Integer({ minimum: 1, maximum: 500, default: 30, description: 'Items per page.' }),
  skip: Type.Integer({ minimum: 0, maximum: 1_000_000_000, default: 0, description: 'Items to skip.' }),
};
export const Paging = Type.Object(PagingFields, { additionalProperties: false });

/** A page of a list: its items and how many match in all. */
export const Page = <T extends TSchema>(item: T) => Type.Object({ items: Type.Array(item), total: Type.Integer({ minimum: 0 }) });

/** The error answers every route may give, added to a route's own answers. */
export function withErrors<R extends { [status: number]: TSchema | undefined }>(responses: R): R & Record<400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 503, typeof ErrorBody> {
  return { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 413: ErrorBody, 415: ErrorBody, 429: ErrorBody, 503: ErrorBody, ...responses };
}

/** An answer with no body (204). */
export const NoContent = Type.Null({ description: 'No content.' });
