//! `GET /snapshot/stream`: Server-Sent Events, one `snapshot` event per version.
//!
//! ```text
//! event: snapshot
//! data: {"payloadType":...}        (the whole envelope, one line: it contains no newline)
//! id: 1795000000000                (the version)
//! ```
//!
//! The current envelope is sent first on connect (a reconnecting `EventSource` gets it
//! again; clients treat the same version with the same bytes as no change), then each new
//! one. Every stream sends the one buffer framed per version (`Published::sse_event`), so
//! a publish costs the same memory with ten thousand subscribers as with one; at most
//! `--max-subscribers` streams are open at once. Subscribers read a `watch` channel: one that falls behind skips to the newest
//! version, which is all a client needs (each envelope is the complete flag set). A comment
//! line every [`KEEP_ALIVE`] keeps proxies from closing an idle connection. Streams end when
//! the server shuts down, so a graceful shutdown does not wait for them.

use super::app::App;
use super::publisher::Published;
use super::respond::error;
use axum::body::{Body, Bytes};
use axum::http::header::{ACCESS_CONTROL_ALLOW_ORIGIN, CACHE_CONTROL, CONTENT_TYPE, RETRY_AFTER};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::convert::Infallible;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::{interval_at, Instant, Interval};

/// How often an idle stream sends a comment.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// One open stream.
struct Subscription {
    /// The snapshots.
    published: watch::Receiver<Arc<Published>>,
    /// Turns `true` at shutdown.
    shutdown: watch::Receiver<bool>,
    /// The current snapshot has not been sent yet.
    first: bool,
    /// Keep-alive ticks.
    keep_alive: Interval,
    /// Counts this stream among the subscribers while it is open.
    _counted: Counted,
}

/// A subscriber counted in `App::subscribers` until dropped (when the client goes away,
/// hyper drops the body and with it this).
struct Counted(Arc<App>);

impl Counted {
    /// Counts one more subscriber, unless the server has as many as it takes.
    fn new(app: Arc<App>) -> Option<Counted> {
        let cap = app.max_subscribers;
        app.subscribers
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < cap).then_some(n + 1)
            })
            .ok()
            .map(|_| Counted(app))
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.subscribers.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Subscription {
    /// The next chunk of the stream; `None` ends it.
    async fn next(&mut self) -> Option<Bytes> {
        if *self.shutdown.borrow() {
            return None;
        }
        if std::mem::take(&mut self.first) {
            return Some(self.published.borrow_and_update().sse_event.clone());
        }
        tokio::select! {
            biased;
            _ = self.shutdown.changed() => None,
            changed = self.published.changed() => match changed {
                Ok(()) => Some(self.published.borrow_and_update().sse_event.clone()),
                Err(_) => None,
            },
            _ = self.keep_alive.tick() => Some(Bytes::from_static(b": keep-alive\n\n")),
        }
    }
}

/// `GET /snapshot/stream`; 503 (with `Retry-After`) when `--max-subscribers` streams are
/// open already.
pub(crate) fn stream(app: Arc<App>, published: watch::Receiver<Arc<Published>>) -> Response {
    let Some(counted) = Counted::new(app.clone()) else {
        let busy = error(
            StatusCode::SERVICE_UNAVAILABLE,
            "too_many_subscribers",
            &format!(
                "{} streams are open, the most this server takes (--max-subscribers); poll GET /snapshot meanwhile",
                app.max_subscribers
            ),
            None,
        );
        return (
            [(RETRY_AFTER, "30"), (ACCESS_CONTROL_ALLOW_ORIGIN, "*")],
            busy,
        )
            .into_response();
    };
    let subscription = Subscription {
        published,
        shutdown: app.shutdown_signal(),
        first: true,
        keep_alive: interval_at(Instant::now() + KEEP_ALIVE, KEEP_ALIVE),
        _counted: counted,
    };
    let chunks = futures_util::stream::unfold(subscription, |mut subscription| async move {
        let chunk = subscription.next().await?;
        Some((Ok::<Bytes, Infallible>(chunk), subscription))
    });
    (
        StatusCode::OK,
        [
            (CONTENT_TYPE, "text/event-stream"),
            (CACHE_CONTROL, "no-cache"),
            (ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
        // nginx buffers responses unless told otherwise, which would hold events back.
        [("x-accel-buffering", "no")],
        Body::from_stream(chunks),
    )
        .into_response()
}
