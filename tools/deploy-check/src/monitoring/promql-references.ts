import type { SyntaxNode } from '@lezer/common';
import { parser } from '@prometheus-io/lezer-promql';

export interface Matcher {
  label: string;
  op: string;
  value: string;
}

/** One series selector: `name{matchers}`. */
export interface Selector {
  metric: string;
  matchers: Matcher[];
}

/** A `by (…)` clause and the selectors it aggregates over: its labels must come from them. */
export interface Grouping {
  labels: string[];
  selectors: Selector[];
}

export interface PromqlReferences {
  selectors: Selector[];
  groupings: Grouping[];
}

/** Grafana's interval macros, as Prometheus would see them after Grafana replaced them. */
export function withGrafanaMacros(expr: string, interval = '5m'): string {
  return expr.replaceAll(/\$__(rate_interval|interval|range)\b/g, interval);
}

/** The dashboard's variables (`$job`, `$instance`, `$keystore`) set to "All", as Grafana sends them. */
export function withAllSelected(expr: string): string {
  return expr.replaceAll(/\$(job|instance|keystore)\b/g, '.*');
}

/**
 * Every metric, label matcher and grouping an expression uses, read from
 * the syntax tree of the Prometheus project's own PromQL grammar (the one its
 * web UI uses). Throws at the first syntax error.
 */
export function promqlReferences(expr: string): PromqlReferences {
  const tree = parser.parse(expr);
  const text = (node: SyntaxNode) => expr.slice(node.from, node.to);
  tree.iterate({
    enter(node) {
      if (node.type.isError) throw new Error(`PromQL syntax error at ${node.from} in: ${expr}`);
    },
  });
  const selectorsIn = (root: SyntaxNode): Selector[] => {
    const found: Selector[] = [];
    const cursor = root.cursor();
    do {
      if (cursor.name === 'VectorSelector') found.push(selectorOf(cursor.node, text));
    } while (cursor.next() && cursor.from < root.to);
    return found.filter((selector) => selector.metric !== '');
  };
  const groupings: Grouping[] = [];
  const cursor = tree.cursor();
  do {
    if (cursor.name !== 'AggregateExpr') continue;
    const modifier = cursor.node.getChild('AggregateModifier');
    if (modifier?.getChild('By') == null) continue;
    const labels = modifier.getChild('GroupingLabels')?.getChildren('LabelName').map(text) ?? [];
    const body = cursor.node.getChild('FunctionCallBody');
    if (body) groupings.push({ labels, selectors: selectorsIn(body) });
  } while (cursor.next());
  return { selectors: selectorsIn(tree.topNode), groupings };
}

function selectorOf(node: SyntaxNode, text: (node: SyntaxNode) => string): Selector {
  const matchers: Matcher[] = [];
  for (const matcher of node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? []) {
    const label = matcher.getChild('LabelName');
    const op = matcher.getChild('MatchOp');
    const value = matcher.getChild('StringLiteral');
    if (label && op && value) matchers.push({ label: text(label), op: text(op), value: unquote(text(value)) });
  }
  const identifier = node.getChild('Identifier');
  const byName = matchers.find((matcher) => matcher.label === '__name__' && matcher.op === '=');
  return {
    metric: identifier ? text(identifier) : (byName?.value ?? ''),
    matchers: matchers.filter((matcher) => matcher.label !== '__name__'),
  };
}

function unquote(literal: string): string {
  return literal.startsWith('"') ? (JSON.parse(literal) as string) : literal.slice(1, -1);
}
