//! Unit tests of the GraphQL HTTP layer.

use async_graphql::Request;

use super::prepare::{count, nesting};
use super::*;

struct Panicky;

#[async_graphql::Object]
impl Panicky {
    async fn boom(&self) -> i32 {
        let empty: Vec<i32> = Vec::new();
        empty[0] // a resolver bug: index out of bounds
    }
    async fn fine(&self) -> i32 {
        1
    }
}

#[tokio::test]
async fn a_panicking_resolver_becomes_an_internal_error() {
    let schema = async_graphql::Schema::new(
        Panicky,
        async_graphql::EmptyMutation,
        async_graphql::EmptySubscription,
    );
    let res = execute_guarded(&schema, Request::new("{ boom }")).await;
    assert_eq!(res.errors.len(), 1);
    assert_eq!(res.errors[0].message, "internal error");
    let code = res.errors[0]
        .extensions
        .as_ref()
        .and_then(|e| e.get("code"))
        .cloned();
    assert_eq!(code, Some(async_graphql::Value::from("INTERNAL")));
    // The schema still serves after the panic.
    let ok = execute_guarded(&schema, Request::new("{ fine }")).await;
    assert!(ok.errors.is_empty());
}

#[test]
fn nesting_ignores_braces_in_strings() {
    assert_eq!(nesting("{ a { b } }"), 2);
    assert_eq!(nesting(r#"{ a(q: "{{{{ \" {{") { b } }"#), 2);
    assert_eq!(nesting(&"{a".repeat(1000)), 1000);
}

#[test]
fn aliases_and_fields_are_counted_across_fragments() {
    let doc = async_graphql::parser::parse_query(
        "query { a: groups { nodes { ...F } } b: groups { nodes { slug } } } fragment F on Group { slug name }",
    )
    .unwrap();
    assert_eq!(count(&doc), (2, 7));
}
