// node scripts/format_only.mjs [BASE] [HEAD]: checks that HEAD (default: HEAD) differs from BASE
// (default: HEAD~1) by formatting and import order only, as a "format only" commit must (the
// one `npm run format` makes). Each changed .ts/.js file's syntax tree is compared: node kinds,
// names and literal values, with parentheses, commas, semicolons, bars and JSDoc aside, and its
// top-level imports as a set. Prints the files that differ otherwise; exits 1 if any do.
import { execFileSync } from 'node:child_process';
import ts from 'typescript';

const [base = 'HEAD~1', head = 'HEAD'] = process.argv.slice(2);
const git = (...args) => execFileSync('git', args, { encoding: 'utf8', maxBuffer: 1 << 28 });
const IGNORED = new Set([
  ts.SyntaxKind.CommaToken,
  ts.SyntaxKind.OpenParenToken,
  ts.SyntaxKind.CloseParenToken,
  ts.SyntaxKind.SemicolonToken,
  // A union's leading bar, which Prettier adds or drops with the line breaks.
  ts.SyntaxKind.BarToken,
  ts.SyntaxKind.ParenthesizedExpression,
  ts.SyntaxKind.ParenthesizedType,
]);

function tokens(node, file, out) {
  if (node.kind >= ts.SyntaxKind.FirstJSDocNode && node.kind <= ts.SyntaxKind.LastJSDocNode) return;
  if (!IGNORED.has(node.kind)) {
    const named = ts.isIdentifier(node) || ts.isPrivateIdentifier(node) || ts.isLiteralKind(node.kind);
    out.push(named ? `${node.kind}:${node.text}` : String(node.kind));
  }
  for (const child of node.getChildren(file)) tokens(child, file, out);
}

/** The file's top-level imports (sorted) and the rest, as token strings. */
function shape(path, text) {
  const kind = path.endsWith('.ts') ? ts.ScriptKind.TS : ts.ScriptKind.JS;
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, kind);
  const imports = [];
  const rest = [];
  for (const statement of file.statements) {
    const out = [];
    tokens(statement, file, out);
    (ts.isImportDeclaration(statement) ? imports : rest).push(out.join(' '));
  }
  return { imports: imports.sort().join('\n'), rest: rest.join('\n') };
}

const changed = git('diff', '--name-only', '--diff-filter=M', base, head).trim().split('\n').filter(Boolean);
const other = git('diff', '--name-only', '--diff-filter=ADR', base, head).trim().split('\n').filter(Boolean);
const differ = other.map((path) => `${path}: added, deleted or renamed`);
for (const path of changed) {
  if (!/\.(ts|js|mjs|cjs)$/.test(path)) {
    differ.push(`${path}: not code`);
    continue;
  }
  const before = shape(path, git('show', `${base}:${path}`));
  const after = shape(path, git('show', `${head}:${path}`));
  if (before.imports !== after.imports) differ.push(`${path}: its imports differ`);
  if (before.rest !== after.rest) differ.push(`${path}: its code differs`);
}
for (const line of differ) console.log(line);
console.log(
  `${changed.length + other.length} files between ${base} and ${head}: ${differ.length} differ beyond format`,
);
process.exitCode = differ.length > 0 ? 1 : 0;
