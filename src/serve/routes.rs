//! The HTTP routes. Every route under a role checks that role's secret first (401 without
//! one, 403 with a wrong one) and answers JSON errors that say what was wrong; a body over
//! [`BODY_MAX`] bytes is refused unread.
//!
//! ```text
//! GET  /                         the front page (how to join; no secrets)
//! GET  /join/ROLE?key=SECRET     sets the role's cookie and opens its page
//! GET  /ROLE                     the role's page (white, blue, red, projector)
//! GET  /assets/app.js|app.css    the pages' script and style (compiled in)
//! GET  /api/ROLE/state           the role's view (JSON: {"version": N, "view": {…}})
//! GET  /api/ROLE/events          the role's views as server-sent events (`state`, id N)
//! POST /api/ROLE/command         {"line": "…"}: a command as typed at the prompt
//! POST /api/ROLE/move            a move as JSON (see `commands::MoveRequest`)
//! POST /api/white/reissue        {"role": "blue"}: revoke a role's secret, issue a new one
//! ```

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use futures_util::stream;
use serde::Deserialize;
use serde_json::json;
use tokio::sync::broadcast::error::RecvError;

use super::auth::{Role, presented};
use super::commands::{self, Done, MoveRequest, Refusal};
use super::pages;
use super::{Server, Update};

/// The largest request body read (a command or a move is a few hundred bytes).
pub const BODY_MAX: usize = 64 * 1024;

type Shared = Arc<Server>;

/// The server's routes.
pub fn router(s: Shared) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/join/{role}", get(join))
        .route("/assets/app.js", get(js))
        .route("/assets/app.css", get(css))
        .route("/{role}", get(page))
        .route("/api/{role}/state", get(state))
        .route("/api/{role}/events", get(events))
        .route("/api/{role}/command", post(command))
        .route("/api/{role}/move", post(move_json))
        .route("/api/{role}/reissue", post(reissue))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(BODY_MAX))
        .with_state(s)
}

fn error(status: StatusCode, msg: impl Into<String>) -> Response {
    let mut r = (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        json!({"ok": false, "error": msg.into()}).to_string(),
    )
        .into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

async fn not_found() -> Response {
    error(
        StatusCode::NOT_FOUND,
        "no such page; join with the link White gave you",
    )
}

/// A response refusing the request (boxed: a `Response` is large).
type Refused = Box<Response>;

/// The role a request is for, after checking its secret.
fn auth(s: &Server, role: &str, headers: &HeaderMap, query: Option<&str>) -> Result<Role, Refused> {
    let Some(r) = Role::parse(role) else {
        return Err(Box::new(error(
            StatusCode::NOT_FOUND,
            format!("no role `{role}`; the roles are white, blue, red, projector"),
        )));
    };
    let h = |n: header::HeaderName| headers.get(n).and_then(|v| v.to_str().ok());
    let Some(key) = presented(r, h(header::AUTHORIZATION), h(header::COOKIE), query) else {
        return Err(Box::new(error(
            StatusCode::UNAUTHORIZED,
            format!("the {role} page needs its join link (ask White)"),
        )));
    };
    if s.secrets
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .check(r, &key)
    {
        Ok(r)
    } else {
        Err(Box::new(error(
            StatusCode::FORBIDDEN,
            format!(
                "this link is not (or no longer) the {role} link; ask White for the current one"
            ),
        )))
    }
}

fn no_store(mut r: Response) -> Response {
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

async fn index() -> Response {
    no_store(
        (
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            pages::INDEX,
        )
            .into_response(),
    )
}

async fn js() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        pages::APP_JS,
    )
        .into_response()
}

async fn css() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        pages::APP_CSS,
    )
        .into_response()
}

async fn join(
    State(s): State<Shared>,
    Path(role): Path<String>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let r = match auth(&s, &role, &headers, q.as_deref()) {
        Ok(r) => r,
        Err(e) => return *e,
    };
    let key = s
        .secrets
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .get(r)
        .to_string();
    let mut resp = (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, format!("/{}", r.name()))],
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{}={key}; Path=/; HttpOnly; SameSite=Strict",
        r.cookie()
    )) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    no_store(resp)
}

async fn page(
    State(s): State<Shared>,
    Path(role): Path<String>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    match auth(&s, &role, &headers, q.as_deref()) {
        Ok(r) => no_store(
            (
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                pages::page(r),
            )
                .into_response(),
        ),
        Err(e) => {
            if Role::parse(&role).is_some() {
                let status = e.status();
                no_store(
                    (
                        status,
                        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                        pages::denied(&role),
                    )
                        .into_response(),
                )
            } else {
                *e
            }
        }
    }
}

fn versioned(v: &(u64, Arc<str>)) -> String {
    format!("{{\"version\":{},\"view\":{}}}", v.0, v.1)
}

async fn state(
    State(s): State<Shared>,
    Path(role): Path<String>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    match auth(&s, &role, &headers, q.as_deref()) {
        Ok(r) => no_store(
            (
                [(header::CONTENT_TYPE, "application/json")],
                versioned(&s.current(r)),
            )
                .into_response(),
        ),
        Err(e) => *e,
    }
}

fn state_event(v: &(u64, Arc<str>)) -> Event {
    Event::default()
        .event("state")
        .id(v.0.to_string())
        .data(versioned(v))
}

async fn events(
    State(s): State<Shared>,
    Path(role): Path<String>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let r = match auth(&s, &role, &headers, q.as_deref()) {
        Ok(r) => r,
        Err(e) => return *e,
    };
    let h = |n: header::HeaderName| headers.get(n).and_then(|v| v.to_str().ok());
    let key =
        presented(r, h(header::AUTHORIZATION), h(header::COOKIE), q.as_deref()).unwrap_or_default();
    // Subscribe first, then take the current view: nothing published in between is missed.
    let rx = s.subscribe(r);
    let first = s.current(r);
    let st = (s, r, key, rx, Some(first), 0u64);
    let stream = stream::unfold(st, |(s, r, key, mut rx, first, last)| async move {
        if let Some(v) = first {
            // Every connection (a reconnection too) starts with the role's current view.
            let ev = state_event(&v).retry(Duration::from_millis(1000));
            let n = v.0;
            return Some((Ok::<Event, Infallible>(ev), (s, r, key, rx, None, n)));
        }
        loop {
            let upd = rx.recv().await;
            if !s
                .secrets
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .check(r, &key)
            {
                // The link was revoked: the stream ends and the page asks for a new link.
                return None;
            }
            match upd {
                Ok(Update::View(n, text)) if n > last => {
                    let v = (n, text);
                    return Some((Ok(state_event(&v)), (s, r, key, rx, None, n)));
                }
                Ok(Update::View(..)) | Ok(Update::Secrets) => continue,
                Ok(Update::Shutdown) | Err(RecvError::Closed) => return None,
                Err(RecvError::Lagged(_)) => {
                    // Behind: the latest view stands for the ones skipped.
                    let v = s.current(r);
                    let n = v.0;
                    return Some((Ok(state_event(&v)), (s, r, key, rx, None, n)));
                }
            }
        }
    });
    no_store(
        Sse::new(stream)
            .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
            .into_response(),
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CommandRequest {
    line: String,
}

fn body_or_error(body: Result<Bytes, BytesRejection>) -> Result<Bytes, Refused> {
    body.map_err(|e| {
        Box::new({
            let status = e.status();
            if status == StatusCode::PAYLOAD_TOO_LARGE {
                error(
                    status,
                    format!(
                        "the request body is over the limit of {BODY_MAX} bytes; nothing was done"
                    ),
                )
            } else {
                error(status, format!("cannot read the request body: {e}"))
            }
        })
    })
}

fn outcome(r: anyhow::Result<Result<Done, Refusal>>) -> Response {
    match r {
        Ok(Ok(Done::Shown(text))) => (
            StatusCode::OK,
            axum::Json(json!({"ok": true, "logged": false, "text": text})),
        )
            .into_response(),
        Ok(Ok(Done::Logged(seq, text))) => (
            StatusCode::OK,
            axum::Json(json!({"ok": true, "logged": true, "seq": seq, "text": text})),
        )
            .into_response(),
        Ok(Err(Refusal::Forbidden(m))) => error(StatusCode::FORBIDDEN, m),
        Ok(Err(Refusal::Malformed(m))) => error(StatusCode::BAD_REQUEST, m),
        Ok(Err(Refusal::Rejected(m))) => error(StatusCode::UNPROCESSABLE_ENTITY, m),
        Err(e) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the session could not be written: {e:#}"),
        ),
    }
}

/// Runs `f` on the session (on the blocking pool: a forecast takes seconds), then publishes.
async fn on_session<F>(s: Shared, f: F) -> Response
where
    F: FnOnce(&mut crate::game::live::Live) -> anyhow::Result<Result<Done, Refusal>>
        + Send
        + 'static,
{
    let r = tokio::task::spawn_blocking(move || {
        let mut live = s.live.lock().unwrap_or_else(|e| e.into_inner());
        let r = f(&mut live);
        if matches!(r, Ok(Ok(Done::Logged(..)))) {
            s.publish(&live);
        }
        r
    })
    .await;
    match r {
        Ok(r) => outcome(r),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, format!("{e}")),
    }
}

async fn command(
    State(s): State<Shared>,
    Path(role): Path<String>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let r = match auth(&s, &role, &headers, q.as_deref()) {
        Ok(r) => r,
        Err(e) => return *e,
    };
    let body = match body_or_error(body) {
        Ok(b) => b,
        Err(e) => return *e,
    };
    let req: CommandRequest = match serde_json::from_slice(&body) {
        Ok(c) => c,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                format!("the body is not a command ({e}); expected JSON {{\"line\": \"status\"}}"),
            );
        }
    };
    on_session(s, move |live| commands::run_line(live, r, &req.line)).await
}

async fn move_json(
    State(s): State<Shared>,
    Path(role): Path<String>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let r = match auth(&s, &role, &headers, q.as_deref()) {
        Ok(r) => r,
        Err(e) => return *e,
    };
    let body = match body_or_error(body) {
        Ok(b) => b,
        Err(e) => return *e,
    };
    let req: MoveRequest = match serde_json::from_slice(&body) {
        Ok(m) => m,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                format!(
                    "the body is not a move ({e}); expected JSON such as {{\"levers\": {{\"posture\": 0.8}}, \"rationale\": \"…\"}} or {{\"moves\": {{\"hybrid\": \"Estonia\"}}}}"
                ),
            );
        }
    };
    on_session(s, move |live| commands::run_move(live, r, req)).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReissueRequest {
    role: String,
}

async fn reissue(
    State(s): State<Shared>,
    Path(role): Path<String>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let r = match auth(&s, &role, &headers, q.as_deref()) {
        Ok(r) => r,
        Err(e) => return *e,
    };
    if r != Role::White {
        return error(StatusCode::FORBIDDEN, "only White issues links");
    }
    let body = match body_or_error(body) {
        Ok(b) => b,
        Err(e) => return *e,
    };
    let req: ReissueRequest = match serde_json::from_slice(&body) {
        Ok(x) => x,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                format!("the body is not a reissue request ({e}); expected {{\"role\": \"blue\"}}"),
            );
        }
    };
    let Some(target) = Role::parse(&req.role) else {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "no role `{}`; allowed: white, blue, red, projector",
                req.role
            ),
        );
    };
    let done = {
        let mut sec = s.secrets.write().unwrap_or_else(|e| e.into_inner());
        sec.reissue(target).map(|_| sec.get(target).to_string())
    };
    let key = match done {
        Ok(k) => k,
        Err(e) => return error(StatusCode::INTERNAL_SERVER_ERROR, format!("{e:#}")),
    };
    s.secrets_changed();
    let s2 = s.clone();
    let _ = tokio::task::spawn_blocking(move || {
        let live = s2.live.lock().unwrap_or_else(|e| e.into_inner());
        s2.publish(&live);
    })
    .await;
    let mut resp = axum::Json(json!({"ok": true, "role": target.name(), "url": s.link(target)}))
        .into_response();
    if target == Role::White
        && let Ok(v) = HeaderValue::from_str(&format!(
            "{}={key}; Path=/; HttpOnly; SameSite=Strict",
            target.cookie()
        ))
    {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    no_store(resp)
}
