/**
 * Help the way `gh` and `kubectl` print it, for every command of the tree (ours and the jobs'):
 * short usage lines with optional flags in brackets, defaults, examples, subcommands with their
 * summaries, wrapped to the terminal, and plain text (no escape codes) when stdout is not a terminal,
 * `NO_COLOR` is set or `TERM=dumb`. Also "did you mean" for a mistyped subcommand, naming the group's own
 * subcommands.
 *
 * @effect/cli parses; this module only reads its command descriptors (the `Standard`/`Map`/
 * `Subcommands` tree and the `Options`/`Args` trees of @effect/cli 0.77) to print them.
 */
import { HelpDoc } from "@effect/cli"
import * as Span from "@effect/cli/HelpDoc/Span"
import * as Option from "effect/Option"
import { displayWidth, terminalWidth } from "./output.ts"

// --- describing a command ---------------------------------------------------------------------------

/** An example: the command line, and what it does. */
export type Example = readonly [commandLine: string, explanation?: string]

/**
 * A command's description with examples, for `Command.withDescription`:
 * `Command.withDescription(describe("delete files", [["openrouter-admin files cleanup --older-than 90d --dry-run", "see the plan"]]))`.
 * The first sentence is the summary shown in the group's list.
 */
export const describe = (summary: string, examples: ReadonlyArray<Example> = []): HelpDoc.HelpDoc =>
  examples.length === 0
    ? HelpDoc.p(summary)
    : HelpDoc.sequence(
      HelpDoc.p(summary),
      HelpDoc.descriptionList(examples.map(([line, what]) => [Span.code(line), HelpDoc.p(what ?? "")] as [Span.Span, HelpDoc.HelpDoc]) as any)
    )

// --- reading the descriptors ------------------------------------------------------------------------

type Descriptor = any

/** The part of a descriptor that has the name, description, options and args. */
const standardOf = (d: Descriptor): Descriptor => d._tag === "Map" ? standardOf(d.command) : d._tag === "Subcommands" ? standardOf(d.parent) : d

export const subcommandsOf = (d: Descriptor): ReadonlyArray<Descriptor> =>
  d._tag === "Map" ? subcommandsOf(d.command) : d._tag === "Subcommands" ? d.children : []

export const nameOf = (d: Descriptor): string => standardOf(d).name

/** Does a command with subcommands also run by itself (it has flags or arguments of its own, as `spend` does)? */
export const runsItself = (d: Descriptor): boolean => standardOf(d).options?._tag !== "Empty" || standardOf(d).args?._tag !== "Empty"

const spanText = (span: Span.Span): string =>
  span._tag === "Sequence" ? spanText(span.left) + spanText(span.right) : typeof span.value === "string" ? span.value : spanText(span.value)

/** The paragraphs of a help document as text, and its examples (description lists). */
const readDoc = (doc: HelpDoc.HelpDoc): { paragraphs: Array<string>; examples: Array<[string, string]> } => {
  const out = { paragraphs: [] as Array<string>, examples: [] as Array<[string, string]> }
  const walk = (d: any) => {
    switch (d._tag) {
      case "Paragraph":
      case "Header":
        out.paragraphs.push(spanText(d.value))
        break
      case "Sequence":
        walk(d.left)
        walk(d.right)
        break
      case "DescriptionList":
        for (const [span, inner] of d.definitions) out.examples.push([spanText(span), readDoc(inner).paragraphs.join(" ")])
        break
      case "Enumeration":
        for (const inner of d.elements) walk(inner)
        break
    }
  }
  walk(doc)
  return out
}

/** The one-line summary of a command (the first paragraph of its description). */
export const summaryOf = (d: Descriptor): string => {
  const s = standardOf(d)
  return s.description ? (readDoc(s.description).paragraphs[0] ?? "") : ""
}

interface Flag {
  readonly names: ReadonlyArray<string>
  readonly placeholder: string | undefined
  readonly description: string
  readonly defaultValue: string | undefined
  readonly required: boolean
  readonly repeatable: boolean
}

const placeholderOf = (single: any): string | undefined => {
  const type = single.primitiveType
  if (Option.isOption(single.pseudoName) && Option.isSome(single.pseudoName)) return single.pseudoName.value as string
  switch (type?._tag) {
    case "Bool":
      return undefined
    case "Choice":
      return type.alternatives.map(([name]: [string]) => name).join("|")
    case "Integer":
      return "N"
    case "Float":
      return "NUM"
    case "Path":
      return "PATH"
    case "Redacted":
    case "Secret":
      return "KEY"
    case "DateTime":
      return "DATE"
    default:
      return (single.name as string).toUpperCase()
  }
}

const showDefault = (value: unknown): string | undefined =>
  Option.isOption(value) || value === false || value === undefined ? undefined : JSON.stringify(value)

/** The flags of an options tree, with what the wrappers around each say (default, optional, repeated). */
const flagsOf = (options: any, context = { defaultValue: undefined as string | undefined, optional: false, repeatable: false }): Array<Flag> => {
  switch (options?._tag) {
    case "Single":
      return [{
        names: [...options.aliases.map((a: string) => (a.length === 1 ? `-${a}` : `--${a}`)), `--${options.name}`],
        placeholder: placeholderOf(options),
        description: readDoc(options.description).paragraphs.join(" "),
        defaultValue: context.defaultValue,
        required: !context.optional,
        repeatable: context.repeatable
      }]
    case "WithDefault":
      return flagsOf(options.options, { ...context, optional: true, defaultValue: showDefault(options.fallback) })
    case "WithFallback":
      return flagsOf(options.options, { ...context, optional: true })
    case "Map":
      return flagsOf(options.options, context)
    case "Both":
      return [...flagsOf(options.left, context), ...flagsOf(options.right, context)]
    case "OrElse":
      // a boolean and its negation: the first is the flag people use
      return flagsOf(options.left, context)
    case "Variadic":
    case "KeyValueMap": {
      const min = Option.isOption(options.min) ? Option.getOrElse(options.min, () => 0) : 0
      return flagsOf(options.argumentOption, { ...context, optional: context.optional || min === 0, repeatable: true })
    }
    default:
      return []
  }
}

interface Arg {
  readonly usage: string
  readonly description: string
}

const argsOf = (args: any, context = { optional: false, repeatable: false }): Array<Arg> => {
  switch (args?._tag) {
    case "Single": {
      const choices = args.primitiveType?._tag === "Choice"
        ? ` (${args.primitiveType.alternatives.map(([name]: [string]) => name).join(", ")})`
        : ""
      const name = `<${Option.isOption(args.pseudoName) && Option.isSome(args.pseudoName) ? args.pseudoName.value : args.name}>`
      const usage = `${name}${context.repeatable ? "..." : ""}`
      return [{
        usage: context.optional ? `[${usage}]` : usage,
        description: readDoc(args.description).paragraphs.join(" ") + choices
      }]
    }
    case "WithDefault":
    case "WithFallbackConfig":
      return argsOf(args.args, { ...context, optional: true })
    case "Map":
      return argsOf(args.args, context)
    case "Both":
      return [...argsOf(args.left, context), ...argsOf(args.right, context)]
    case "Variadic": {
      const min = Option.getOrElse(args.min as Option.Option<number>, () => 0)
      return argsOf(args.args, { optional: context.optional || min === 0, repeatable: true })
    }
    default:
      return []
  }
}

// --- finding the command a command line names -------------------------------------------------------

/** Built-in options of the root that take a value (skipped when looking for the command's path). */
const valued = new Set(["--log-level", "--completions"])

export interface Located {
  /** The command the words name, and the words (after the program's name). */
  readonly node: Descriptor
  readonly path: ReadonlyArray<string>
  /** A word that names no subcommand of `node`, a group. */
  readonly unknown?: string
}

/** Follow the leading words of `argv` (after the program's name) down the command tree. */
export const locate = (root: Descriptor, argv: ReadonlyArray<string>): Located => {
  let node = root
  const path: Array<string> = []
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!
    if (word === "--") break
    if (word.startsWith("-")) {
      if (path.length === 0 && valued.has(word)) i++
      if (path.length === 0) continue
      break
    }
    const children = subcommandsOf(node)
    if (children.length === 0) break
    const next = children.find((c) => nameOf(c) === word)
    if (!next) return { node, path, unknown: word }
    node = next
    path.push(word)
  }
  return { node, path }
}

/** Edit distance counting a swap of two neighbours as one edit ("lsit" is one edit from "list"). */
const distance = (a: string, b: string): number => {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)])
  for (let j = 1; j <= b.length; j++) d[0]![j] = j
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1)
    }
  }
  return d[a.length]![b.length]!
}

/** Words people type from other tools, and ours. */
const aliases: Record<string, string> = { ls: "list", rm: "delete", del: "delete", remove: "delete", show: "get", new: "create" }

/** The candidates closest to `word`: a known alias, a prefix, or the nearest within 1–2 edits. */
export const suggestions = (word: string, candidates: ReadonlyArray<string>): Array<string> => {
  const alias = aliases[word]
  if (alias !== undefined && candidates.includes(alias)) return [alias]
  const prefixed = candidates.filter((c) => c.startsWith(word) && word.length >= 2)
  if (prefixed.length > 0) return prefixed
  const scored = candidates.map((name) => ({ name, distance: distance(word.toLowerCase(), name) }))
  const best = Math.min(...scored.map((c) => c.distance))
  return best <= (word.length <= 3 ? 1 : 2) ? scored.filter((c) => c.distance === best).map((c) => c.name) : []
}

/** The message for a word that is not a subcommand of `located.node`. */
export const unknownCommand = (program: string, located: Located & { unknown: string }): string => {
  const group = [program, ...located.path].join(" ")
  const children = subcommandsOf(located.node).map(nameOf)
  const close = suggestions(located.unknown, children)
  return [
    `error: unknown command "${located.unknown}" for "${group}"`,
    ...(close.length > 0 ? ["", `Did you mean ${close.map((c) => `"${c}"`).join(" or ")}?`] : []),
    "",
    `Commands of "${group}": ${children.join(", ")}`,
    `Run '${group} --help' for what each does.`
  ].join("\n")
}

// --- rendering --------------------------------------------------------------------------------------

export interface RenderOptions {
  readonly width: number
  /** Bold headings and flags; off for pipes, NO_COLOR and TERM=dumb. */
  readonly color: boolean
}

/** Whether help and errors may use escape codes on `stream`. */
export const colorAllowed = (stream: { readonly isTTY?: boolean } = process.stdout, env = process.env): boolean =>
  Boolean(stream.isTTY) && env.NO_COLOR === undefined && env.TERM !== "dumb"

/** Help's width: the terminal's, but never so wide that lines stop being readable. */
export const helpWidth = (stream: { readonly columns?: number | undefined } = process.stdout) => Math.max(40, Math.min(terminalWidth(stream), 100))

/** `text` wrapped at word boundaries into lines of at most `width` columns. */
export const wrap = (text: string, width: number): Array<string> => {
  const lines: Array<string> = []
  let line = ""
  // a word wider than the line (a path, a URL) is cut into pieces that fit
  const words = text.split(/\s+/).filter((w) => w !== "").flatMap((w) => {
    if (displayWidth(w) <= width) return [w]
    const pieces: Array<string> = []
    let piece = ""
    for (const char of w) {
      if (displayWidth(piece + char) > width) {
        pieces.push(piece)
        piece = ""
      }
      piece += char
    }
    return [...pieces, piece]
  })
  for (const word of words) {
    if (line === "") line = word
    else if (displayWidth(line) + 1 + displayWidth(word) <= width) line += ` ${word}`
    else {
      lines.push(line)
      line = word
    }
  }
  if (line !== "") lines.push(line)
  return lines.length === 0 ? [""] : lines
}

/** Two columns: the terms, and their text wrapped beside them (or below, when the terms are long). */
const twoColumns = (rows: ReadonlyArray<readonly [string, string]>, width: number): Array<string> => {
  const termWidth = Math.min(Math.max(...rows.map(([term]) => displayWidth(term))), Math.floor(width * 0.45))
  const textWidth = Math.max(20, width - 2 - termWidth - 2)
  return rows.flatMap(([term, text]) => {
    const wrapped = text === "" ? [] : wrap(text, textWidth)
    const indent = " ".repeat(2 + termWidth + 2)
    if (displayWidth(term) > termWidth) {
      return [`  ${term}`, ...wrapped.map((l) => indent + l)]
    }
    const pad = " ".repeat(termWidth - displayWidth(term))
    return [`  ${term}${wrapped.length > 0 ? `${pad}  ${wrapped[0]}` : ""}`, ...wrapped.slice(1).map((l) => indent + l)]
  })
}

/** An example's command line: the first line indented 4, the rest 8 (each within `width`). */
const exampleLines = (text: string, width: number): Array<string> => {
  const [head = ""] = wrap(text, width - 4)
  const rest = text.split(/\s+/).slice(head.split(" ").length).join(" ")
  return [`    ${head}`, ...(rest === "" ? [] : wrap(rest, width - 8).map((l) => `        ${l}`))]
}

/** The help of the command `path` names under the root `program`. */
export const render = (node: Descriptor, path: ReadonlyArray<string>, program: string, options: RenderOptions): string => {
  const bold = (text: string) => (options.color ? `\x1b[1m${text}\x1b[0m` : text)
  const width = options.width
  const standard = standardOf(node)
  const doc = standard.description ? readDoc(standard.description) : { paragraphs: [], examples: [] }
  const children = subcommandsOf(node)
  const flags = flagsOf(standard.options)
  const args = argsOf(standard.args)
  const commandLine = [program, ...path].join(" ")
  const out: Array<string> = []
  const section = (title: string, lines: ReadonlyArray<string>) => {
    if (lines.length === 0) return
    out.push("", bold(title), ...lines)
  }

  for (const paragraph of doc.paragraphs) out.push(...wrap(paragraph, width))

  const required = flags.filter((f) => f.required).map((f) => `${f.names.at(-1)}${f.placeholder ? ` ${f.placeholder}` : ""}`)
  const usage = children.length > 0
    ? [`${commandLine} <command>${flags.length > 0 ? " [flags]" : ""}`]
    : [[commandLine, ...args.map((a) => a.usage), ...required, ...(flags.length > required.length ? ["[flags]"] : [])].join(" ")]
  section("USAGE", usage.flatMap((line) => wrap(line, width - 2).map((l, i) => (i === 0 ? `  ${l}` : `      ${l}`))))

  section("COMMANDS", twoColumns(children.map((c) => [nameOf(c), summaryOf(c)] as const), width))
  section("ARGUMENTS", twoColumns(args.map((a) => [a.usage.replace(/^\[|\]$/g, ""), a.description] as const), width))

  const flagRows = flags.map((f) => {
    const names = f.names.length > 1 || f.names[0]!.startsWith("--") ? f.names.join(", ") : f.names[0]!
    const term = `${f.names[0]!.length === 2 ? "" : "    "}${names}${f.placeholder ? ` ${f.placeholder}` : ""}`
    const notes = [
      ...(f.required ? ["required"] : []),
      ...(f.defaultValue !== undefined ? [`default ${f.defaultValue}`] : []),
      ...(f.repeatable && !f.description.includes("repeatable") ? ["repeatable"] : [])
    ]
    return [term, `${f.description}${notes.length > 0 ? ` (${notes.join(", ")})` : ""}`.trim()] as const
  })
  section("FLAGS", twoColumns(flagRows, width))

  section(
    "EXAMPLES",
    doc.examples.flatMap(([line, what]) => [
      ...(what ? wrap(what, width - 2).map((l) => `  ${l}`) : []),
      ...exampleLines(`$ ${line}`, width),
      ""
    ]).slice(0, -1)
  )

  if (path.length === 0) {
    section(
      "GLOBAL FLAGS",
      twoColumns([
        ["-h, --help", "this help; after a command (`workspaces list --help`), that command's help"],
        ["    --version", "the version"],
        ["    --completions SHELL", "a completion script for sh, bash, fish or zsh"]
      ], width)
    )
  }

  out.push("")
  out.push(...wrap(
    children.length > 0
      ? `Run '${commandLine} <command> --help' for a command's flags.`
      : path.length === 0
      ? "--help shows this help, --version the version."
      : `-h, --help shows this help.`,
    width
  ))
  return out.join("\n").replace(/^\n+/, "")
}
