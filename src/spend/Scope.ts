/**
 * Which workspaces a spend report or check covers: every one, or those named by exact id, exact slug,
 * or a glob over slugs and names (never over ids: `*` must not pick workspaces by a fragment of a UUID).
 * A reference that matches nothing is an error that names the workspaces there are; an empty selection
 * never means "everything".
 *
 * @since 0.2.0
 */
import { Effect } from "effect"
import type { Workspace } from "../Domain.ts"
import { InvalidRequestError } from "../Errors.ts"
import { globMatcher, isGlob } from "../jobs/Selection.ts"
import type { ReportScope } from "./Render.ts"

/** `"all"`, or ids, slugs and globs (`team-*`). */
export type WorkspaceRefs = "all" | ReadonlyArray<string>

export interface ResolvedScope extends ReportScope {
  readonly ids: ReadonlySet<string>
}

const existing = (workspaces: ReadonlyArray<Workspace>) => {
  const slugs = workspaces.map((w) => w.slug).sort()
  if (slugs.length === 0) return "the organization has no workspaces"
  return `workspaces: ${slugs.slice(0, 20).join(", ")}${slugs.length > 20 ? ` (and ${slugs.length - 20} more)` : ""}`
}

/** Resolve the references against the workspaces the server listed. */
export const resolveScope = (operation: string, refs: WorkspaceRefs, workspaces: ReadonlyArray<Workspace>) =>
  Effect.gen(function*() {
    if (refs === "all") {
      return { all: true, workspaces: workspaces.map((w) => ({ id: w.id, slug: w.slug })), ids: new Set(workspaces.map((w) => w.id)) }
    }
    const blank = refs.filter((ref) => ref.trim() === "")
    if (refs.length === 0 || blank.length > 0) {
      return yield* new InvalidRequestError({ operation, issue: "an empty workspace selection selects nothing: name a workspace (id, slug or glob)" })
    }
    const selected = new Map<string, Workspace>()
    const unmatched: Array<string> = []
    for (const ref of refs) {
      const glob = isGlob(ref) ? globMatcher(ref) : undefined
      const matches = workspaces.filter((w) => glob ? glob(w.slug) || glob(w.name) : w.id === ref || w.slug === ref)
      if (matches.length === 0) unmatched.push(ref)
      for (const w of matches) selected.set(w.id, w)
    }
    if (unmatched.length > 0) {
      return yield* new InvalidRequestError({
        operation,
        issue: `no workspace matches ${unmatched.map((r) => `"${r}"`).join(", ")} (ids and slugs match exactly, globs match slugs and names); ${
          existing(workspaces)
        }`
      })
    }
    const chosen = [...selected.values()]
    const scope: ResolvedScope = { all: false, workspaces: chosen.map((w) => ({ id: w.id, slug: w.slug })), ids: new Set(selected.keys()) }
    return scope
  })
