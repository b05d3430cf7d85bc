/**
 * Which workspaces a spend report or check covers: every one, or those a selection names — by the jobs'
 * rule ({@link Selection.select}: an exact id, an exact slug, or a glob over slugs and names, never over
 * ids). A reference that matches nothing is an error that names the workspaces there are; an empty
 * selection is refused where the options enter (`validate` in Spend.ts), never read as "everything".
 *
 * @since 0.2.0
 */
import { Effect } from "effect"
import type { Workspace } from "../Domain.ts"
import * as Selection from "../jobs/Selection.ts"
import type { WorkspaceScope } from "../jobs/Specs.ts"
import type { ReportScope } from "./Render.ts"

/** `"all"`, or ids, slugs and globs (`team-*`). */
export type WorkspaceRefs = WorkspaceScope

export interface ResolvedScope extends ReportScope {
  readonly ids: ReadonlySet<string>
}

/** Resolve the references against the workspaces the server listed. */
export const resolveScope = (operation: string, refs: WorkspaceRefs, workspaces: ReadonlyArray<Workspace>) =>
  Effect.map(Selection.select(operation, workspaces, refs), ({ selected }): ResolvedScope => ({
    all: refs === "all",
    workspaces: selected.map((w) => ({ id: w.id, slug: w.slug })),
    ids: new Set(selected.map((w) => w.id))
  }))
