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
    let mut found = None;
    collect(doc, &op.node.selection_set.node, variables, &mut found, 0)?;
    Ok(found)
}

fn collect(
    doc: &ExecutableDocument,
    set: &SelectionSet,
    variables: &Variables,
    found: &mut Option<String>,
    depth: usize,
) -> Result<(), String> {
    // Fragments at the root may spread one another; validation refuses a
    // cycle, and this stops at one before it does.
    if depth > 8 {
        return Ok(());
    }
    for item in &set.items {
        match &item.node {
            Selection::Field(f) => {
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
                match found {
                    Some(seen) if *seen != value => {
                        return Err(format!(
                            "asOf: every root field must read the same time ({seen} and {value})"
                        ));
                    }
                    _ => *found = Some(value),
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
