//! `asOf` on the query root's fields: the time a request reads the records
//! as of. It is decided per request, before execution, because the nested
//! fields' loaders read through the request's one connection: the whole
//! request then runs against the records rebuilt for that time
//! (`domain::asof`), and its root fields must agree on it.

use async_graphql::Value;
use async_graphql::Variables;
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};

/// The `asOf` the operation `name` (the only one, without a name) gives its
/// root fields, read from the document or its variables; refused when two
/// of them differ.
pub fn requested(
    doc: &ExecutableDocument,
    name: Option<&str>,
    variables: &Variables,
) -> Result<Option<String>, String> {
    let op = doc.operations.iter().find(|(n, _)| match (name, n) {
        (Some(want), Some(n)) => n.as_str() == want,
        (None, _) => true,
        (Some(_), None) => false,
    });
    let Some((_, op)) = op else {
        return Ok(None); // execution names the problem
    };
    // A variable the request leaves out takes its default, as execution
    // reads it.
    let mut values = variables.clone();
    for d in &op.node.variable_definitions {
        let name = &d.node.name.node;
        if !values.contains_key(name)
            && let Some(v) = &d.node.default_value
        {
            values.insert(name.clone(), v.node.clone());
        }
    }
    let mut found = Root::default();
    collect(doc, &op.node.selection_set.node, &values, &mut found, 0)?;
    if found.as_of.is_some() && found.history {
        return Err(
            "asOf: history and changes read the revisions themselves, never as of a time; \
             ask for them in a request of their own"
                .into(),
        );
    }
    Ok(found.as_of)
}

/// What the root selection holds: the `asOf` its fields agree on, and
/// whether it asks for the revisions (`history`, `changes`), which an
/// as-of state does not hold as they were.
#[derive(Default)]
struct Root {
    as_of: Option<String>,
    history: bool,
}

fn collect(
    doc: &ExecutableDocument,
    set: &SelectionSet,
    variables: &Variables,
    found: &mut Root,
    depth: usize,
) -> Result<(), String> {
    // Fragments at the root may spread one another; validation refuses a
    // cycle, and this refuses one (or an absurd depth) before it does.
    if depth > 8 {
        return Err("asOf: fragments at the root nest more than 8 deep".into());
    }
    for item in &set.items {
        match &item.node {
            Selection::Field(f) => {
                let name = f.node.name.node.as_str();
                found.history |= name == "history" || name == "changes";
                let Some((_, v)) = f.node.arguments.iter().find(|(n, _)| n.node == "asOf") else {
                    continue;
                };
                // A variable not given reads as null, as execution reads it.
                let value = v.node.clone().into_const_with(|var| {
                    Ok::<_, std::convert::Infallible>(
                        variables.get(&var).cloned().unwrap_or(Value::Null),
                    )
                });
                let value = match value {
                    Ok(Value::String(s)) => Some(s),
                    _ => None,
                };
                let Some(value) = value else { continue };
                match &found.as_of {
                    Some(seen) if *seen != value => {
                        return Err(format!(
                            "asOf: every root field must read the same time ({seen} and {value})"
                        ));
                    }
                    _ => found.as_of = Some(value),
                }
            }
            Selection::InlineFragment(f) => {
                collect(doc, &f.node.selection_set.node, variables, found, depth + 1)?;
            }
            Selection::FragmentSpread(s) => {
                if let Some(f) = doc.fragments.get(&s.node.fragment_name.node) {
                    collect(doc, &f.node.selection_set.node, variables, found, depth + 1)?;
                }
            }
        }
    }
    Ok(())
}
