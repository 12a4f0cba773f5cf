import ts from 'typescript';

/**
 * What the build and the check read in the extensions' TypeScript, from the syntax tree rather than with regular
 * expressions, so comments and strings (a label saying "window") are never mistaken for code.
 */

export const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.js', '.jsx'];

export function isSourceFile(file: string): boolean {
  return SOURCE_EXTENSIONS.some((ext) => file.endsWith(ext)) && !file.endsWith('.d.ts');
}

/** Test code is never uploaded: `*.test.*` / `*.spec.*` files and jest's `__tests__`, `__mocks__`, `__snapshots__` folders. */
export function isTestPath(relativePath: string): boolean {
  const parts = relativePath.split(/[\\/]/);
  const name = parts[parts.length - 1] ?? '';
  return /\.(test|spec)\.[cm]?[jt]sx?$/.test(name) || parts.some((p) => p === '__tests__' || p === '__mocks__' || p === '__snapshots__');
}

function parse(fileName: string, text: string): ts.SourceFile {
  const kind = fileName.endsWith('x') ? ts.ScriptKind.TSX : fileName.endsWith('.js') ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  return ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, kind);
}

export interface ModuleReference {
  specifier: string;
  /** Offsets of the string literal's text (without quotes), for rewriting in place. */
  start: number;
  end: number;
  line: number;
}

/** Every module a file loads: static imports and re-exports, `import('...')`, `require('...')`. */
export function moduleReferences(fileName: string, text: string): ModuleReference[] {
  const source = parse(fileName, text);
  const found: ModuleReference[] = [];
  const add = (literal: ts.Node | undefined) => {
    if (!literal || !ts.isStringLiteralLike(literal)) return;
    const start = literal.getStart(source) + 1;
    found.push({ specifier: literal.text, start, end: literal.getEnd() - 1, line: source.getLineAndCharacterOfPosition(start).line + 1 });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) add(node.moduleReference.expression);
    else if (ts.isCallExpression(node)) {
      const isImport = node.expression.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = ts.isIdentifier(node.expression) && node.expression.text === 'require';
      if (isImport || isRequire) add(node.arguments[0]);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/**
 * Browser globals an extension cannot use: HubSpot runs extensions in a sandboxed worker with no DOM and lets them
 * reach the network only through `hubspot.fetch` (https://developers.hubspot.com/docs/apps/developer-platform/add-features/ui-extensibility/fetching-data).
 */
export const FORBIDDEN_GLOBALS = ['window', 'document', 'fetch', 'XMLHttpRequest'] as const;
const GLOBAL_OBJECTS = new Set(['globalThis', 'self']);

export interface GlobalUse {
  name: string;
  line: number;
}

/**
 * Uses of FORBIDDEN_GLOBALS as free names (`window.x`, `fetch(...)`, `globalThis.fetch`), not as property names
 * (`hubspot.fetch`, `{ document: 1 }`). A syntax-only scan: it does not follow scopes (a local variable named
 * `document` is reported too) nor computed access (`globalThis['fe' + 'tch']`) or aliases (`const g = self; g.fetch`).
 */
export function forbiddenGlobalUses(fileName: string, text: string): GlobalUse[] {
  const source = parse(fileName, text);
  const forbidden = new Set<string>(FORBIDDEN_GLOBALS);
  const found: GlobalUse[] = [];
  const report = (name: string, node: ts.Node) =>
    found.push({ name, line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1 });
  const visit = (node: ts.Node) => {
    if (ts.isIdentifier(node) && forbidden.has(node.text) && isFreeName(node)) report(node.text, node);
    if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && GLOBAL_OBJECTS.has(node.expression.text) && forbidden.has(node.name.text)) {
      report(`${node.expression.text}.${node.name.text}`, node);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** An identifier that names a value from the enclosing scope, not a property, a key, a label or a type. */
function isFreeName(node: ts.Identifier): boolean {
  const parent = node.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.name === node) return false;
  const isMember =
    ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent) || ts.isPropertySignature(parent) || ts.isMethodDeclaration(parent) ||
    ts.isMethodSignature(parent) || ts.isGetAccessorDeclaration(parent) || ts.isSetAccessorDeclaration(parent) || ts.isEnumMember(parent);
  if (isMember && parent.name === node) return false;
  if (ts.isJsxAttribute(parent)) return false;
  if (ts.isQualifiedName(parent) || ts.isTypeReferenceNode(parent)) return false;
  if ((ts.isImportSpecifier(parent) || ts.isExportSpecifier(parent)) && parent.propertyName === node) return false;
  if (ts.isLabeledStatement(parent) || ts.isBreakOrContinueStatement(parent)) return false;
  return true;
}

/** The name of the constant the build writes DealBooks' base URL into (extensions/src/shared/config.ts). */
export const BASE_URL_CONSTANT = 'DEALBOOKS_BASE_URL';

/** The string literal of `export const DEALBOOKS_BASE_URL = '...'`, with the offsets of the whole literal (quotes included); undefined if absent. */
export function baseUrlLiteral(fileName: string, text: string): { value: string; start: number; end: number } | undefined {
  const source = parse(fileName, text);
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const declaration of statement.declarationList.declarations) {
      if (ts.isIdentifier(declaration.name) && declaration.name.text === BASE_URL_CONSTANT && declaration.initializer && ts.isStringLiteralLike(declaration.initializer)) {
        const literal = declaration.initializer;
        return { value: literal.text, start: literal.getStart(source), end: literal.getEnd() };
      }
    }
  }
  return undefined;
}

/** `text` with the given ranges replaced (ranges must not overlap). */
export function spliceAll(text: string, edits: { start: number; end: number; replacement: string }[]): string {
  let result = text;
  for (const edit of [...edits].sort((a, b) => b.start - a.start)) {
    result = result.slice(0, edit.start) + edit.replacement + result.slice(edit.end);
  }
  return result;
}
