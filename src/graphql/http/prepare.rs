//! The checks every document passes before anything runs, whichever door
//! it came through: its nesting before it is parsed, then (parsed once and
//! kept by its text) its operation type, aliases and fields.

use std::sync::Arc;

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationType, Selection, SelectionSet,
};

use crate::graphql::documents::Parsed;
use crate::state::AppState;

/// Longest error message returned; parse errors can quote a lot of input.
const MAX_MESSAGE: usize = 200;

/// Why a document does not run.
#[derive(Debug)]
pub(crate) enum Refusal {
    /// The document is at fault (syntax, a limit): a request error.
    Document(String),
    /// A mutation or subscription where only queries may run.
    NotAQuery,
}

/// The document a text holds, if it passes the limits. `queries_only` is
/// for doors that must not change anything (GET).
pub(crate) fn document(
    s: &AppState,
    text: &str,
    queries_only: bool,
) -> Result<Arc<Parsed>, Refusal> {
    let limits = &s.graphql_limits;
    let parsed = match s.graphql_documents.get(text) {
        Some(parsed) => parsed,
        None => {
            if nesting(text) > limits.max_depth + 5 {
                return Err(Refusal::Document(format!(
                    "the document nests deeper than {} levels",
                    limits.max_depth
                )));
            }
            let doc = async_graphql::parser::parse_query(text)
                .map_err(|e| Refusal::Document(truncate(&format!("syntax error: {e}"))))?;
            let (aliases, fields) = count(&doc);
            let parsed = Arc::new(Parsed {
                mutation: has_mutation(&doc),
                aliases,
                fields,
                doc,
            });
            s.graphql_documents.put(text, parsed.clone());
            parsed
        }
    };
    if queries_only && parsed.mutation {
        return Err(Refusal::NotAQuery);
    }
    if parsed.aliases > limits.max_aliases {
        return Err(Refusal::Document(format!(
            "the document has {} aliases; at most {} are allowed",
            parsed.aliases, limits.max_aliases
        )));
    }
    if parsed.fields > limits.max_fields {
        return Err(Refusal::Document(format!(
            "the document selects {} fields; at most {} are allowed",
            parsed.fields, limits.max_fields
        )));
    }
    Ok(parsed)
}

/// Deepest nesting of `{`, `[` and `(` outside strings: checked before
/// parsing so a pathological document cannot exhaust the parser's stack.
/// Whether the document's operations are subscriptions, which run over
/// WebSocket only.
pub(crate) fn subscribes(doc: &ExecutableDocument) -> bool {
    match &doc.operations {
        DocumentOperations::Single(op) => op.node.ty == OperationType::Subscription,
        DocumentOperations::Multiple(ops) => ops
            .values()
            .all(|op| op.node.ty == OperationType::Subscription),
    }
}

pub(super) fn nesting(query: &str) -> usize {
    let (mut depth, mut max, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for c in query.chars() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '{' | '[' | '(' => {
                depth += 1;
                max = max.max(depth);
            }
            '}' | ']' | ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// The aliases and fields of the document's operations as they execute:
/// a fragment counts each time it is spread (so spreading one fragment a
/// thousand times cannot slip past the field limit). Each fragment's count
/// is worked out once; the sums saturate, and a fragment that spreads itself
/// (which validation refuses anyway) counts as over every limit.
pub(super) fn count(doc: &ExecutableDocument) -> (usize, usize) {
    use std::collections::HashMap;
    type Counts = (usize, usize);
    fn add(a: Counts, b: Counts) -> Counts {
        (a.0.saturating_add(b.0), a.1.saturating_add(b.1))
    }
    fn walk(
        doc: &ExecutableDocument,
        set: &SelectionSet,
        memo: &mut HashMap<String, Option<Counts>>,
    ) -> Counts {
        let mut total = (0, 0);
        for item in &set.items {
            let c = match &item.node {
                Selection::Field(f) => add(
                    (usize::from(f.node.alias.is_some()), 1),
                    walk(doc, &f.node.selection_set.node, memo),
                ),
                Selection::InlineFragment(f) => walk(doc, &f.node.selection_set.node, memo),
                Selection::FragmentSpread(s) => {
                    let name = s.node.fragment_name.node.as_str();
                    match memo.get(name) {
                        Some(Some(c)) => *c,
                        // Being counted: a cycle.
                        Some(None) => (usize::MAX, usize::MAX),
                        None => match doc.fragments.get(&s.node.fragment_name.node) {
                            Some(f) => {
                                memo.insert(name.to_owned(), None);
                                let c = walk(doc, &f.node.selection_set.node, memo);
                                memo.insert(name.to_owned(), Some(c));
                                c
                            }
                            None => (0, 0),
                        },
                    }
                }
            };
            total = add(total, c);
        }
        total
    }
    let mut memo = HashMap::new();
    let mut total = (0, 0);
    for (_, op) in doc.operations.iter() {
        total = add(total, walk(doc, &op.node.selection_set.node, &mut memo));
    }
    total
}

fn has_mutation(doc: &ExecutableDocument) -> bool {
    match &doc.operations {
        DocumentOperations::Single(op) => op.node.ty != OperationType::Query,
        DocumentOperations::Multiple(ops) => {
            ops.values().any(|op| op.node.ty != OperationType::Query)
        }
    }
}

pub(crate) fn truncate(s: &str) -> String {
    if s.chars().count() <= MAX_MESSAGE {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(MAX_MESSAGE).collect();
        t.push('…');
        t
    }
}
