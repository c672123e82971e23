//! A request's parameters, each of the type the GraphQL over HTTP spec gives
//! it: a parameter of the wrong type makes the request no GraphQL request at
//! all (a 400 problem naming it), before any document is looked at.

use serde_json::{Map, Value};

#[derive(Debug, Default)]
pub struct Params {
    pub query: Option<String>,
    pub operation_name: Option<String>,
    pub variables: Option<Map<String, Value>>,
    pub extensions: Option<Map<String, Value>>,
}

impl Params {
    /// From a POST body, already parsed as JSON. Unknown members are
    /// ignored, as the spec allows.
    pub fn from_body(value: Value) -> Result<Params, String> {
        let Value::Object(mut body) = value else {
            return Err(
                "the body is not a GraphQL request: expected a JSON object with \"query\", \"variables\", \"operationName\", \"extensions\"".to_owned(),
            );
        };
        let string = |v: Option<Value>, name: &str| match v {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(format!("`{name}` must be a string")),
        };
        Ok(Params {
            query: string(body.remove("query"), "query")?,
            operation_name: string(body.remove("operationName"), "operationName")?,
            variables: object(body.remove("variables"), "variables")?,
            extensions: object(body.remove("extensions"), "extensions")?,
        })
    }

    /// From a GET query string, where `variables` and `extensions` are JSON
    /// texts. A parameter given twice, or one the spec does not name, is
    /// refused rather than guessed at.
    pub fn from_query_string(query: &str) -> Result<Params, String> {
        let mut p = Params::default();
        for (k, v) in form_urlencoded::parse(query.as_bytes()) {
            let v = v.into_owned();
            let twice = || format!("`{k}` is given twice");
            match k.as_ref() {
                "query" => {
                    if p.query.replace(v).is_some() {
                        return Err(twice());
                    }
                }
                "operationName" => {
                    if p.operation_name.replace(v).is_some() {
                        return Err(twice());
                    }
                }
                "variables" | "extensions" => {
                    let parsed = serde_json::from_str::<Value>(&v)
                        .map_err(|e| format!("`{k}` is not JSON: {e}"))?;
                    let slot = if k == "variables" {
                        &mut p.variables
                    } else {
                        &mut p.extensions
                    };
                    if let Some(map) = object(Some(parsed), &k)?
                        && slot.replace(map).is_some()
                    {
                        return Err(twice());
                    }
                }
                other => {
                    return Err(format!(
                        "unknown parameter {other:?}; GET /graphql takes query, operationName, variables, extensions"
                    ));
                }
            }
        }
        Ok(p)
    }

    /// The request to execute, with the document text it runs.
    pub fn into_request(self, text: String) -> async_graphql::Request {
        let mut request = async_graphql::Request::new(text);
        if let Some(name) = self.operation_name {
            request = request.operation_name(name);
        }
        if let Some(vars) = self.variables {
            request = request.variables(async_graphql::Variables::from_json(Value::Object(vars)));
        }
        request
    }
}

fn object(v: Option<Value>, name: &str) -> Result<Option<Map<String, Value>>, String> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m)),
        Some(_) => Err(format!("`{name}` must be a JSON object")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_parameter_must_have_its_type() {
        assert!(Params::from_body(json!({"query": "{a}", "variables": null})).is_ok());
        for (body, field) in [
            (json!({"query": 0}), "query"),
            (json!({"query": ["{a}"]}), "query"),
            (
                json!({"query": "{a}", "operationName": false}),
                "operationName",
            ),
            (json!({"query": "{a}", "variables": "{}"}), "variables"),
            (json!({"query": "{a}", "variables": []}), "variables"),
            (json!({"query": "{a}", "extensions": 0}), "extensions"),
        ] {
            let e = Params::from_body(body).unwrap_err();
            assert!(e.contains(&format!("`{field}`")), "{e}");
        }
        assert!(Params::from_body(json!("{a}")).is_err());
    }

    #[test]
    fn a_query_string_is_read_strictly() {
        let p = Params::from_query_string(
            "query=%7Ba%7D&variables=%7B%22x%22%3A1%7D&extensions=%7B%7D",
        )
        .unwrap();
        assert_eq!(p.query.as_deref(), Some("{a}"));
        assert_eq!(p.variables.unwrap()["x"], 1);
        assert!(p.extensions.is_some());
        assert!(Params::from_query_string("query=a&query=b").is_err());
        assert!(Params::from_query_string("variables=%5B%5D").is_err());
        assert!(Params::from_query_string("extensions=x").is_err());
        assert!(Params::from_query_string("q=1").is_err());
    }
}
