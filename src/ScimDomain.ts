/**
 * Wire schemas of the SCIM operations: the groups an identity provider pushed (read-only here) and
 * their mappings to workspaces with a role (list, create, get, update, delete).
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { BooleanParam, wire } from "./Domain.ts"
import { Uuid } from "./KeysDomain.ts"

/**
 * The role a mapping gives the group's members in the workspace.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ScimRole = Schema.Literal("admin", "member")
/**
 * @since 0.1.0
 * @category models
 */
export type ScimRole = typeof ScimRole.Type

/**
 * @since 0.1.0
 * @category models
 */
export class ScimGroup extends Schema.Class<ScimGroup>("ScimGroup")({
  id: Schema.String,
  organizationId: wire("organization_id", Schema.String),
  /** The identity provider's own id for the group. */
  externalId: wire("external_id", Schema.NullOr(Schema.String)),
  displayName: wire("display_name", Schema.String),
  createdAt: wire("created_at", Schema.String),
  updatedAt: wire("updated_at", Schema.String)
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class ScimGroupMapping extends Schema.Class<ScimGroupMapping>("ScimGroupMapping")({
  id: Schema.String,
  organizationId: wire("organization_id", Schema.String),
  scimGroupId: wire("scim_group_id", Schema.String),
  workspaceId: wire("workspace_id", Schema.String),
  /** `admin` or `member` (open: a new role never breaks a listing). */
  role: Schema.String,
  createdAt: wire("created_at", Schema.String),
  updatedAt: wire("updated_at", Schema.String)
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class ListScimGroupsResponse extends Schema.Class<ListScimGroupsResponse>("ListScimGroupsResponse")({
  data: Schema.Array(ScimGroup),
  totalCount: wire("total_count", Schema.Int)
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class ListScimGroupMappingsResponse extends Schema.Class<ListScimGroupMappingsResponse>(
  "ListScimGroupMappingsResponse"
)({
  data: Schema.Array(ScimGroupMapping),
  totalCount: wire("total_count", Schema.Int)
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class ScimGroupMappingResponse extends Schema.Class<ScimGroupMappingResponse>("ScimGroupMappingResponse")({
  data: ScimGroupMapping
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class CreateScimGroupMappingRequest extends Schema.Class<CreateScimGroupMappingRequest>(
  "CreateScimGroupMappingRequest"
)({
  scimGroupId: wire("scim_group_id", Uuid),
  workspaceId: wire("workspace_id", Uuid),
  role: ScimRole
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class UpdateScimGroupMappingRequest extends Schema.Class<UpdateScimGroupMappingRequest>(
  "UpdateScimGroupMappingRequest"
)({
  role: ScimRole
}) {}

/**
 * `DELETE /scim/group-mappings/:id` query: `keepMembers` is required (no default, on purpose): `false`
 * removes the members the mapping granted access to, `true` leaves them as manually managed members.
 *
 * @since 0.1.0
 * @category schemas
 */
export const deleteMappingQuery = {
  keepMembers: wire("keep_members", BooleanParam)
}
