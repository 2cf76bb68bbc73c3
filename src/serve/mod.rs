//! `newshound serve`: the index over HTTP, read-only. A JSON API, an Atom feed of new designations,
//! and a web page that uses the API, all from this binary.
//!
//! The server only reads: it opens the index with a reader that reloads after each commit, so an
//! `ingest` or `crawl` writing to the same index shows up within a second.

mod feed;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use axum::Json;
use axum::Router;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};

use crate::document::{EntityKey, EntityLabel};
use crate::index::IndexError;
use crate::index::NewsIndex;
use crate::index::designations::DesignationFilter;
use crate::index::search::{MAX_LIMIT, MAX_OFFSET, SearchRequest};

const PAGE: &str = include_str!("page.html");
/// Longest value accepted for any parameter other than `q`.
const MAX_PARAM_CHARS: usize = 200;
/// Designations returned by one request at most.
const MAX_DESIGNATIONS: usize = 1000;

/// Serves the index at `index_dir` on `addr` until interrupted.
pub fn serve(index_dir: &Path, addr: SocketAddr) -> anyhow::Result<()> {
    let index = Arc::new(NewsIndex::open(index_dir)?);
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr}"))?;
        tracing::info!("serving {} on http://{}", index_dir.display(), listener.local_addr()?);
        axum::serve(listener, router(index))
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .context("server failed")
    })
}

pub fn router(index: Arc<NewsIndex>) -> Router {
    Router::new()
        .route("/", get(|| async { Html(PAGE) }))
        .route("/api/search", get(search))
        .route("/api/articles/{id}", get(article))
        .route("/api/entities", get(entities))
        .route("/api/entities/{id}", get(entity))
        .route("/api/designations", get(designations))
        .route("/designations.atom", get(atom))
        .with_state(index)
}

/// An error answer: `{"error": "..."}` with its status.
struct ApiError(StatusCode, String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, Json(serde_json::json!({ "error": self.1 }))).into_response()
    }
}

/// A request the index refuses is the client's to fix (400); an index another process is
/// rebuilding or that is gone is unavailable for now (503). Any other cause goes to the log only:
/// it names files and internals that are no business of a client.
impl From<IndexError> for ApiError {
    fn from(e: IndexError) -> Self {
        match e {
            IndexError::InvalidRequest(message) => bad_request(message),
            IndexError::Missing(_) => {
                tracing::error!("request failed: {e}");
                ApiError(StatusCode::SERVICE_UNAVAILABLE, "the index is not available".into())
            }
            e => {
                tracing::error!("request failed: {e}");
                ApiError(StatusCode::INTERNAL_SERVER_ERROR, "internal error".into())
            }
        }
    }
}

fn bad_request(message: impl Into<String>) -> ApiError {
    ApiError(StatusCode::BAD_REQUEST, message.into())
}

/// Query parameters, checked against the names an endpoint takes.
struct Params(HashMap<String, String>);

impl Params {
    fn check(raw: HashMap<String, String>, allowed: &[&str]) -> Result<Self, ApiError> {
        for (name, value) in &raw {
            if !allowed.contains(&name.as_str()) {
                return Err(bad_request(format!(
                    "unknown parameter {name:?} (expected one of: {})",
                    allowed.join(", ")
                )));
            }
            // The query's own limit is the index's to check.
            if name != "q" && value.chars().count() > MAX_PARAM_CHARS {
                return Err(bad_request(format!("parameter {name:?} is longer than {MAX_PARAM_CHARS} characters")));
            }
        }
        Ok(Params(raw))
    }

    fn text(&self, name: &str) -> Option<String> {
        self.0.get(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
    }

    fn number(&self, name: &str, default: usize, max: usize) -> Result<usize, ApiError> {
        match self.text(name) {
            None => Ok(default),
            Some(v) => match v.parse::<usize>() {
                Ok(n) if n <= max => Ok(n),
                _ => Err(bad_request(format!("{name} must be a whole number from 0 to {max}, not {v:?}"))),
            },
        }
    }

    fn instant(&self, name: &str) -> Result<Option<DateTime<Utc>>, ApiError> {
        self.text(name)
            .map(|v| {
                crate::dates::parse_date(&v)
                    .map(|d| d.with_timezone(&Utc))
                    .ok_or_else(|| bad_request(format!("{name} must be a date (YYYY-MM-DD or RFC 3339), not {v:?}")))
            })
            .transpose()
    }

    fn flag(&self, name: &str) -> Result<bool, ApiError> {
        match self.text(name).as_deref() {
            None | Some("0" | "false") => Ok(false),
            Some("1" | "true") => Ok(true),
            Some(v) => Err(bad_request(format!("{name} must be true or false, not {v:?}"))),
        }
    }

    fn label(&self, name: &str) -> Result<Option<EntityLabel>, ApiError> {
        self.text(name)
            .map(|v| {
                EntityLabel::parse(&v).ok_or_else(|| {
                    let labels: Vec<&str> = EntityLabel::ALL.iter().map(|l| l.as_str()).collect();
                    bad_request(format!("{name} must be one of {}, not {v:?}", labels.join(", ")))
                })
            })
            .transpose()
    }
}

/// Runs index work off the async threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, IndexError> + Send + 'static,
) -> Result<T, ApiError> {
    match tokio::task::spawn_blocking(work).await {
        Ok(done) => done.map_err(ApiError::from),
        Err(e) => {
            tracing::error!("request failed: the worker stopped: {e}");
            Err(ApiError(StatusCode::INTERNAL_SERVER_ERROR, "internal error".into()))
        }
    }
}

async fn search(
    State(index): State<Arc<NewsIndex>>,
    Query(raw): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let p = Params::check(
        raw,
        &["q", "type", "entity", "authority", "program", "since", "until", "limit", "offset", "values"],
    )?;
    let request = SearchRequest {
        query: p.text("q").unwrap_or_default(),
        entity_type: p.label("type")?,
        entity: p.text("entity"),
        authority: p.text("authority"),
        program: p.text("program"),
        since: p.instant("since")?,
        until: p.instant("until")?,
        limit: p.number("limit", 20, MAX_LIMIT)?.max(1),
        offset: p.number("offset", 0, MAX_OFFSET)?,
        value_entities: p.flag("values")?,
    };
    let results = blocking(move || index.search(&request)).await?;
    Ok(Json(results).into_response())
}

async fn article(State(index): State<Arc<NewsIndex>>, UrlPath(id): UrlPath<String>) -> Result<Response, ApiError> {
    let found_id = id.clone();
    match blocking(move || index.article(&found_id)).await? {
        Some(doc) => Ok(Json(doc).into_response()),
        None => Err(ApiError(StatusCode::NOT_FOUND, format!("no article {id:?}"))),
    }
}

async fn entities(
    State(index): State<Arc<NewsIndex>>,
    Query(raw): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let p = Params::check(raw, &["q", "type", "limit"])?;
    let (name, label, limit) = (p.text("q"), p.label("type")?, p.number("limit", 50, MAX_LIMIT)?);
    let found = blocking(move || index.entities(name.as_deref(), label, limit)).await?;
    Ok(Json(serde_json::json!({ "entities": found })).into_response())
}

async fn entity(State(index): State<Arc<NewsIndex>>, UrlPath(id): UrlPath<String>) -> Result<Response, ApiError> {
    let Some(wanted) = EntityKey::parse(&id) else {
        return Err(bad_request(format!("entity ids are TYPE:key, such as LOC:US or PER:kim sang man, not {id:?}")));
    };
    match blocking(move || index.entity(&wanted)).await? {
        Some(detail) => Ok(Json(detail).into_response()),
        None => Err(ApiError(StatusCode::NOT_FOUND, format!("no entity {id:?}"))),
    }
}

fn designation_filter(p: &Params) -> Result<DesignationFilter, ApiError> {
    Ok(DesignationFilter {
        since: p.instant("since")?,
        authority: p.text("authority"),
        target: p.text("target"),
        program: p.text("program"),
        ..DesignationFilter::default()
    })
}

async fn designations(
    State(index): State<Arc<NewsIndex>>,
    Query(raw): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let p = Params::check(raw, &["since", "authority", "target", "program", "limit"])?;
    let filter = designation_filter(&p)?;
    let limit = p.number("limit", 100, MAX_DESIGNATIONS)?;
    // Each target serialises as {target, first_seen, reports}, newest first.
    let targets = blocking(move || index.designations(&filter, limit)).await?;
    Ok(Json(serde_json::json!({ "designations": targets })).into_response())
}

async fn atom(
    State(index): State<Arc<NewsIndex>>,
    Query(raw): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let p = Params::check(raw, &["since", "authority", "target", "program"])?;
    let filter = designation_filter(&p)?;
    let targets = blocking(move || index.designations(&filter, feed::ENTRIES)).await?;
    Ok(([(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")], feed::atom(&targets)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn internal_errors_reach_the_client_without_their_cause() {
        let cause = IndexError::CreateDirectory {
            path: "/srv/data/index".into(),
            source: std::io::Error::new(std::io::ErrorKind::PermissionDenied, "permission denied"),
        };
        let response = ApiError::from(cause).into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = axum::body::to_bytes(response.into_body(), 1 << 16).await.unwrap();
        assert_eq!(body.as_ref(), br#"{"error":"internal error"}"#);
    }
}
