//! The accept loop: HTTP/1.1 connections served with the server's limits, and a graceful
//! shutdown.
//!
//! - At most `max_connections` connections are open at once: past that the loop stops
//!   accepting (the kernel's backlog holds or refuses the rest), so a flood of idle sockets
//!   cannot exhaust file descriptors or memory.
//! - A client has `header_timeout` to send a request's headers, and an idle keep-alive
//!   connection is closed after the same time (hyper starts the timer when the connection
//!   waits for its next request): slow-loris clients and forgotten sockets are cut off.
//!   Streams (`/snapshot/stream`) are responses in progress, not idle: they stay open.
//! - Each request carries the peer's address (`ConnectInfo`), for the admin API's throttle.
//! - At shutdown the loop stops accepting, connections finish their requests, and whatever
//!   is still open after [`GRACE`] is cut off.

use super::app::App;
use super::{log, GRACE};
use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// The connection limits of `edgeflag serve`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ConnectionLimits {
    /// Connections open at once.
    pub(crate) max_connections: usize,
    /// Time to send a request's headers, and the longest idle keep-alive.
    pub(crate) header_timeout: Duration,
}

/// Serves `router` on `listener` until the app shuts down.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    app: Arc<App>,
    limits: ConnectionLimits,
) {
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let mut stopping = app.shutdown_signal();
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => permit,
            _ = stopping.wait_for(|stop| *stop) => break,
        };
        let Ok(permit) = permit else { break };
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stopping.wait_for(|stop| *stop) => break,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of file descriptors and the like: wait a little rather than spin.
                log(&format!("accept failed: {e}"));
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            router.clone().oneshot(request)
        });
        let connection = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_timeout)
            .serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // A client that goes away or times out ends its connection; nothing to report.
            let _ = connection.await;
            drop(permit);
        });
    }
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(GRACE) => log("requests still open after the grace period were cut off"),
    }
}

/// The peer of a request, as the accept loop recorded it.
pub(crate) fn peer(request: &axum::extract::Request) -> Option<SocketAddr> {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0)
}
