//! The GraphQL playground: GraphiQL with an example query in the editor,
//! every asset served by factline itself (see build.rs), so it works with no
//! internet at all.

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

use crate::http::problem::Problem;
use crate::state::AppState;

mod flag {
    include!(concat!(env!("OUT_DIR"), "/playground_available.rs"));
}

macro_rules! asset {
    ($name:literal) => {
        include_bytes!(concat!(env!("OUT_DIR"), "/playground/", $name)).as_slice()
    };
}

const ASSETS: [(&str, &str, &[u8]); 4] = [
    (
        "graphiql.min.js",
        "text/javascript; charset=utf-8",
        asset!("graphiql.min.js"),
    ),
    (
        "graphiql.min.css",
        "text/css; charset=utf-8",
        asset!("graphiql.min.css"),
    ),
    (
        "react.production.min.js",
        "text/javascript; charset=utf-8",
        asset!("react.production.min.js"),
    ),
    (
        "react-dom.production.min.js",
        "text/javascript; charset=utf-8",
        asset!("react-dom.production.min.js"),
    ),
];

/// The query in the editor when the playground opens.
pub const EXAMPLE_QUERY: &str = r#"# factline: sourced facts about hacktivism. Press the ▶ button to run.
# Which operations targeted PayPal, when, who was charged, on what sources?
query PayPal {
  target(slug: "paypal") {
    name
    country
    operations {
      citations { source { title } }
      operation {
        slug
        name
        start { edtf precision earliest latest }
        groups { role group { name } }
        legalOutcomes(first: 30) {
          kind
          date { edtf precision }
          jurisdiction
          person
          peopleCount
          money { amount currency kind scope }
          citations { source { title publisher url } }
        }
      }
    }
  }
}
"#;

fn html() -> String {
    let query = serde_json::to_string(EXAMPLE_QUERY).unwrap_or_else(|_| "\"\"".to_owned());
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>factline · GraphQL playground</title>
<style>body {{ margin: 0; height: 100vh; overflow: hidden; }} #graphiql {{ height: 100vh; }}</style>
<link rel="stylesheet" href="/graphql/assets/graphiql.min.css">
</head>
<body>
<div id="graphiql">Loading the playground…</div>
<script src="/graphql/assets/react.production.min.js"></script>
<script src="/graphql/assets/react-dom.production.min.js"></script>
<script src="/graphql/assets/graphiql.min.js"></script>
<script>
  const fetcher = GraphiQL.createFetcher({{ url: "/graphql" }});
  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(GraphiQL, {{
      fetcher,
      defaultQuery: {query},
      defaultEditorToolsVisibility: true,
      isHeadersEditorEnabled: true,
    }})
  );
</script>
</body>
</html>"#
    )
}

const MISSING: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>factline · GraphQL playground</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto">
<h1>Playground assets were not built in</h1>
<p>This binary was built where <code>npm</code> or the npm registry was unavailable, so
the GraphiQL assets could not be embedded. Rebuild with npm on the PATH (see the README,
“GraphQL playground”), or POST queries to <code>/graphql</code> with any GraphQL client.</p>
</body></html>"#;

/// The playground page.
pub fn page() -> Response {
    if flag::AVAILABLE {
        Html(html()).into_response()
    } else {
        Html(MISSING).into_response()
    }
}

async fn serve_asset(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|(n, _, _)| *n == name) {
        Some((_, mime, bytes)) if flag::AVAILABLE => {
            let mut res = bytes.into_response();
            let headers = res.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
            // Versioned by the binary; a new release brings new bytes.
            headers.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            );
            res
        }
        _ => Problem::new(
            StatusCode::NOT_FOUND,
            format!("no playground asset {name:?}"),
        )
        .into_response(),
    }
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/graphql/assets/{name}", get(serve_asset))
}
