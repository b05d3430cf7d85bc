/**
 * What the simulator's key and guardrail states share: the API's refusals, and the organisation as they
 * read it. Kept apart from `state.ts` (which builds both) so that no import runs back up to it.
 */
import type { OrganizationMember, Workspace, WorkspaceMember } from "../Domain.ts"

/** The API refusing a request: answered as `{ error: { code: status, message } }`. */
export class Refusal<S extends 400 | 404 = 400 | 404> {
  constructor(readonly status: S, readonly message: string) {}
}

export const badRequest = (message: string) => new Refusal(400 as const, message)
export const notFound = (message: string) => new Refusal(404 as const, message)

/** A result, or the API's refusal with one of the statuses the operation documents. */
export type Outcome<A, S extends 400 | 404 = 400 | 404> = A | Refusal<S>

/** The organisation's people and workspaces, read (never changed) by the key and guardrail rules. */
export interface Directory {
  readonly organizationId: string
  /** Who the management key acts as (`assigned_by`, the default creator). */
  readonly actor: string | null
  readonly members: ReadonlyArray<OrganizationMember>
  readonly memberById: ReadonlyMap<string, OrganizationMember>
  readonly workspaces: ReadonlyMap<string, Workspace>
  readonly workspaceMembers: ReadonlyMap<string, ReadonlyMap<string, WorkspaceMember>>
  readonly defaultWorkspaceId: string
  /** Members of a workspace; the default workspace has every organization member implicitly. */
  membersOf(workspaceId: string): ReadonlyArray<WorkspaceMember>
}

/** The workspace a request names (a UUID), or the default one when it names none. */
export const workspaceOf = (directory: Directory, workspaceId: string | undefined): Outcome<string, 400> => {
  if (workspaceId === undefined) return directory.defaultWorkspaceId
  return directory.workspaces.has(workspaceId) ? workspaceId : badRequest(`Workspace ${workspaceId} not found`)
}

export const iso = (ms: number) => new Date(ms).toISOString()

export const DAY = 86_400_000
