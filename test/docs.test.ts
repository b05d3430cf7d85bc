/**
 * The API reference (`npm run docgen`, @effect/docgen) covers exactly the public modules, and every export in
 * them carries `@since` and `@category`. docgen itself fails on a missing `@since` (it runs in `npm test`);
 * this test adds what it does not check: the module list matches what the package exports, and categories
 * are present and from one vocabulary (the reference groups exports by category).
 */
import { describe, expect, it } from "@effect/vitest"
import { readdirSync, readFileSync } from "node:fs"
import { dirname, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import picomatch from "picomatch"
import ts from "typescript"

const root = fileURLToPath(new URL("..", import.meta.url))
const manifest = JSON.parse(readFileSync(resolve(root, "package.json"), "utf8"))
const docgen = JSON.parse(readFileSync(resolve(root, "docgen.json"), "utf8")) as { srcDir: string; exclude: Array<string> }

/** The categories the reference uses; a new export picks one of these (or adds one here). */
const categories = [
  // Effect's own
  "accessors", // a service's static accessors
  "combinators", // functions from an Effect to an Effect (`withPolicy`)
  "constants",
  "constructors", // make, decode, ready-made values
  "errors", // tagged errors and error unions
  "guards", // is…, predicates
  "layers",
  "models", // interfaces, types, Schema classes, options
  "schemas", // Schema values
  "services", // Context tags and Effect.Service classes
  "utils",
  // this library's
  "config", // what a layer reads from Config
  "observability", // spans, observers
  "operations", // the declarations the methods and the simulator's routes derive from
  "definitions", // a job kind's definition
  "planning", // a job's plan
  "applying", // a job's apply
  "describing", // how a person reads a plan
  "counting", // a report's counts
  "selection", // what a job touches
  "plan files",
  "sinks", // where a minted secret goes
  "reports", // spend reports and checks
  "rendering" // text, JSON, CSV, Slack and HTML renderings of a result
]

const parse = (file: string, text = readFileSync(file, "utf8")) => ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)

/** The doc comments right before a node (the file's own header, for the first statement, comes first). */
const docsOf = (source: ts.SourceFile, node: ts.Node) =>
  (ts.getLeadingCommentRanges(source.text, node.getFullStart()) ?? [])
    .map((range) => source.text.slice(range.pos, range.end))
    .filter((text) => text.startsWith("/**"))

const tag = (doc: string | undefined, name: string) => doc?.match(new RegExp(`@${name}[ \\t]+(\\S[^\\n]*)`))?.[1]?.trim()

/** Entry points and, transitively, every module re-exported whole (`export * from`, `export * as X from`). */
const publicModules = () => {
  const modules = new Set<string>()
  const visit = (file: string) => {
    if (modules.has(file)) return
    modules.add(file)
    for (const statement of parse(file).statements) {
      if (
        ts.isExportDeclaration(statement) && statement.moduleSpecifier !== undefined &&
        (statement.exportClause === undefined || ts.isNamespaceExport(statement.exportClause))
      ) visit(resolve(dirname(file), (statement.moduleSpecifier as ts.StringLiteral).text))
    }
  }
  for (const entry of Object.values(manifest.exports) as Array<{ types: string }>) {
    visit(resolve(root, entry.types.replace(/^\.\/dist\//, "src/").replace(/\.d\.ts$/, ".ts")))
  }
  return [...modules].map((file) => relative(root, file)).sort()
}

/** The files docgen reads: `srcDir/**\/*.ts` less `exclude`. */
const documentedModules = () => {
  const excluded = picomatch(docgen.exclude)
  return (readdirSync(resolve(root, docgen.srcDir), { recursive: true }) as Array<string>)
    .map((file) => `${docgen.srcDir}/${file}`)
    .filter((file) => file.endsWith(".ts") && !excluded(file))
    .sort()
}

interface Finding {
  readonly where: string
  readonly missing: string
}

/** What a file's exports lack: `@since` and `@category` on each, `@since` on public class members. */
const findings = (file: string, text?: string): Array<Finding> => {
  const source = parse(resolve(root, file), text)
  const out: Array<Finding> = []
  const check = (name: string, docs: ReadonlyArray<string>, needCategory: boolean) => {
    const doc = docs.at(-1)
    if (tag(doc, "since") === undefined) out.push({ where: `${file}#${name}`, missing: "@since" })
    const category = tag(doc, "category")
    if (needCategory && category === undefined) out.push({ where: `${file}#${name}`, missing: "@category" })
    if (category !== undefined && !categories.includes(category)) {
      out.push({ where: `${file}#${name}`, missing: `a known @category (not "${category}": one of ${categories.join(", ")})` })
    }
  }
  const first = source.statements[0]
  if (first === undefined || tag(docsOf(source, first)[0], "since") === undefined) {
    out.push({ where: file, missing: "a module header with @since" })
  }
  const isExported = (node: ts.Node) => ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword)
  const seen = new Set<string>()
  for (const statement of source.statements) {
    if (ts.isExportDeclaration(statement)) {
      if (statement.exportClause !== undefined && ts.isNamedExports(statement.exportClause)) {
        for (const specifier of statement.exportClause.elements) check(specifier.name.text, docsOf(source, specifier), true)
      } else {
        check(statement.getText(source), docsOf(source, statement), false)
      }
      continue
    }
    if (!isExported(statement)) continue
    const names = ts.isVariableStatement(statement)
      ? statement.declarationList.declarations.map((d) => d.name.getText(source))
      : [(statement as ts.DeclarationStatement).name?.getText(source) ?? "default"]
    for (const name of names) {
      // an overloaded function is documented once, on its first signature
      if (ts.isFunctionDeclaration(statement) && seen.has(name)) continue
      seen.add(name)
      check(name, docsOf(source, statement), true)
    }
    if (ts.isClassDeclaration(statement)) {
      for (const member of statement.members) {
        const modifiers = ts.canHaveModifiers(member) ? ts.getModifiers(member) ?? [] : []
        const hidden = modifiers.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword)
        const isStatic = modifiers.some((m) => m.kind === ts.SyntaxKind.StaticKeyword)
        // docgen documents methods (static or not) and instance properties
        const documented = ts.isMethodDeclaration(member) || (ts.isPropertyDeclaration(member) && !isStatic)
        if (!documented || hidden || member.name === undefined || ts.isPrivateIdentifier(member.name)) continue
        const doc = docsOf(source, member).at(-1)
        if (tag(doc, "since") === undefined) {
          out.push({ where: `${file}#${statement.name?.text}.${member.name.getText(source)}`, missing: "@since" })
        }
      }
    }
  }
  return out
}

describe("API reference", () => {
  it("docgen reads exactly the public modules: the entry points and the modules they re-export whole", () => {
    expect(documentedModules()).toEqual(publicModules())
  })

  it("every export of a public module has @since and a known @category", () => {
    expect(publicModules().flatMap((file) => findings(file)).map(({ missing, where }) => `${where}: ${missing}`)).toEqual([])
  })

  it("the check sees a missing tag", () => {
    const file = "src/Errors.ts"
    const text = readFileSync(resolve(root, file), "utf8")
    expect(findings(file, text)).toEqual([])
    const untagged = findings(file, text.replace(/^\s*\* @category .*\n/m, "").replace(/^\s*\* @since .*\n(?![\s\S]*@since)/m, ""))
    expect(untagged.map((f) => f.missing)).toEqual(["@category", "@since"])
  })
})
