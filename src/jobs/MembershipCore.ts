/**
 * What onboarding and offboarding share: users resolved to organisation member ids, a workspace's
 * current members, chunks of at most 100 ids, and a bulk call that isolates refused users by bisection.
 *
 * @since 0.1.0
 */
import { Effect, Stream } from "effect"
import { Organization } from "../Organization.ts"
import { Workspaces } from "../Workspaces.ts"
import * as Engine from "./Engine.ts"
import * as Reading from "./Reading.ts"

/** The API's bulk member calls take at most this many user ids. */
export const CHUNK = 100

export const chunk = <A>(items: ReadonlyArray<A>, size = CHUNK) =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size))

/** A stable journal key for a chunk of ids (it must not depend on chunk order). */
export const keyOf = (prefix: string, workspace: string, ids: ReadonlyArray<string>) => {
  let h = 0x811c9dc5
  for (const id of [...ids].sort()) for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193)
  return `${prefix}:${workspace}:${ids.length}:${(h >>> 0).toString(36)}`
}

export const item = (
  kind: Engine.ReportItem["kind"],
  key: string,
  action: string,
  outcome: Engine.ReportItem["outcome"],
  reason?: string
) => new Engine.ReportItem({ kind, key, action, outcome, ...(reason !== undefined ? { reason } : {}) })

/** Why work a saved plan's apply finds needed now is not done: it was not in the plan. */
export const OUTSIDE_PLAN = "not done: outside the plan (the server needs it now, the saved plan did not have it); plan again"

/** Why a saved plan's workspace is left alone: its fresh plan no longer selects it. */
export const NO_LONGER_SELECTED = "not done: the workspace is no longer selected (or is gone) since the plan was made; plan again"

/** A user that could not be resolved (the only item that counts people). */
export const userItem = (key: string, action: string, outcome: Engine.ReportItem["outcome"], reason?: string) =>
  item("user", key, action, outcome, reason)

/** `1 user`, `2 users`. */
export const plural = (n: number, word: string) => `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`

/** ` (e.g. a, b, c, …)`: a few of many ids. */
export const sample = (ids: ReadonlyArray<string>, n = 3) =>
  ids.length === 0 ? "" : ` (e.g. ${ids.slice(0, n).join(", ")}${ids.length > n ? ", …" : ""})`

/**
 * The default workspace: every organisation member belongs to it implicitly, so nobody can be added
 * to or removed from it (the API answers 400). The contract marks it by nothing but its slug, which
 * the API does not let anyone change.
 */
export const DEFAULT_SLUG = "default"
export const isDefaultWorkspace = (workspace: { readonly slug: string }) => workspace.slug === DEFAULT_SLUG

/** The API's refusal to change the default workspace's implicit membership. */
export const isImplicitMembershipRefusal = (message: string) => /default workspace implicitly/i.test(message)

/** What a membership of the default workspace is reported as: it cannot change, and that is not a failure. */
export const STAYS_DEFAULT = "stays (default workspace): every organisation member belongs to it"

/**
 * The users of a spec as organisation member ids; e-mails no member has are reported, not guessed (and,
 * with `idsMustBeMembers`, ids the organisation does not have, when its members were read for e-mails).
 */
export const resolveUsers = (
  kind: string,
  users: ReadonlyArray<string>,
  reading: Reading.Reporter = Reading.reporter(undefined),
  /** Onboarding: an id the organisation does not have is a problem (when its members are read anyway). */
  options: { readonly idsMustBeMembers?: boolean } = {}
) =>
  Effect.gen(function*() {
    const organization = yield* Organization
    const problems: Array<Engine.ReportItem> = []
    const emails = new Set(users.filter((u) => u.includes("@")).map((u) => u.toLowerCase()))
    const byEmail = new Map<string, string>()
    // read only to find e-mails; then it also tells which ids are not members (said now, not sent)
    let memberIds: Set<string> | undefined
    if (emails.size > 0) {
      memberIds = new Set()
      // the organisation's members are read to find e-mails: said as they are read (members 2,300)
      const counter = reading("organisation members", undefined)
      yield* Stream.runForEach(organization.streamMembers(), (member) =>
        Effect.zipRight(
          Effect.sync(() => {
            memberIds!.add(member.id)
            if (emails.has(member.email.toLowerCase())) byEmail.set(member.email.toLowerCase(), member.id)
          }),
          counter.one
        ))
    }
    const ids: Array<string> = []
    for (const user of users) {
      if (!user.includes("@")) {
        if (!options.idsMustBeMembers || memberIds === undefined || memberIds.has(user)) ids.push(user)
        else if (!problems.some((p) => p.key === user)) problems.push(userItem(user, kind, "failed", "not a member of this organisation"))
      } else {
        const id = byEmail.get(user.toLowerCase())
        if (id) ids.push(id)
        else problems.push(userItem(user, kind, "failed", "no organisation member has this e-mail"))
      }
    }
    return { wanted: [...new Set(ids)], problems }
  })

/**
 * A workspace's current members (ids), said as they are read: "members of sales 2,300/5,000" (the
 * total from the first page's `totalCount`).
 */
export const membersOf = (workspaceId: string, reading: Reading.Reporter = Reading.reporter(undefined), slug: string = workspaceId) =>
  Effect.flatMap(Workspaces, (workspaces) => {
    const current = new Set<string>()
    let counter: Reading.Counter | undefined
    return Effect.as(
      Stream.runForEach(workspaces.memberPages({ id: workspaceId }), (page) =>
        Effect.suspend(() => {
          for (const member of page.data) current.add(member.userId)
          counter ??= reading(`members of ${slug}`, page.totalCount)
          return counter.add(page.data.length)
        })),
      current
    )
  })

/** How a bulk call's items are reported. */
export interface BulkCall<E, R> {
  /** The request for some ids; answers what the server changed. */
  readonly call: (ids: ReadonlyArray<string>) => Effect.Effect<Changed, E, R>
  readonly kind: Engine.ReportItem["kind"]
  /** "add to team-a" */
  readonly action: string
  /** Why an id the server did not change is in place already: "already a member". */
  readonly already: string
  /** A refusal that concerns the whole request, never one id (no bisection): its items' outcome and reason. */
  readonly refusal?: (serverMessage: string) => { readonly outcome: Engine.ReportItem["outcome"]; readonly reason: string } | undefined
}

/**
 * Send one chunk; a 400 splits it in halves until the refused users are isolated, so everyone else
 * is still done and each offender is reported with the server's message. Only what the server says
 * it changed (the ids of a bulk add's `data`, or `removed_count`, `assigned_count`) is "done"; the
 * rest was already in place (another job, or a person, got there first).
 */
export const bisect = <E extends { readonly _tag: string; readonly message: string }, R>(
  bulk: BulkCall<E, R>,
  ids: ReadonlyArray<string>
): Effect.Effect<ReadonlyArray<Engine.ReportItem>, never, R> =>
  bulk.call(ids).pipe(
    Effect.map((changed) => settle(bulk, ids, changed)),
    Effect.catchAll((error): Effect.Effect<ReadonlyArray<Engine.ReportItem>, never, R> => {
      const serverMessage = (error as { serverMessage?: string }).serverMessage ?? error.message
      const refused = bulk.refusal?.(serverMessage)
      if (refused) return Effect.succeed(ids.map((id) => item(bulk.kind, id, bulk.action, refused.outcome, refused.reason)))
      if (error._tag !== "BadRequestResponseError") return Effect.succeed(ids.map((id) => item(bulk.kind, id, bulk.action, "failed", error.message)))
      if (ids.length === 1) return Effect.succeed([item(bulk.kind, ids[0]!, bulk.action, "failed", serverMessage)])
      const half = Math.ceil(ids.length / 2)
      return Effect.map(
        Effect.all([bisect(bulk, ids.slice(0, half)), bisect(bulk, ids.slice(half))]),
        ([left, right]) => [...left, ...right]
      )
    })
  )

/** What a bulk call changed: exactly which ids, or only how many of them. */
export type Changed = ReadonlySet<string> | number

/**
 * Split `ids` into done and already in place by the server's answer. With only a count, and neither
 * all nor none changed (two runners at the same moment), the count is exact and the split by position
 * is not: the server does not say which.
 */
const settle = <E, R>(bulk: BulkCall<E, R>, ids: ReadonlyArray<string>, changed: Changed) =>
  ids.map((id, i) =>
    (typeof changed === "number" ? i < changed : changed.has(id))
      ? item(bulk.kind, id, bulk.action, "done")
      : item(bulk.kind, id, bulk.action, "already-done", bulk.already)
  )

/** Group items by a key, in first-seen order. */
export const groupBy = <A>(items: ReadonlyArray<A>, keyOf: (a: A) => string) => {
  const groups = new Map<string, Array<A>>()
  for (const a of items) {
    const key = keyOf(a)
    const group = groups.get(key)
    if (group) group.push(a)
    else groups.set(key, [a])
  }
  return groups
}
