//! The admin API, behind `Authorization: Bearer <token>`: 401 without a known token, 403
//! when the token's role or environments do not allow the request, 429 (with `Retry-After`)
//! for an address after `--max-auth-failures` failures in a minute (see `throttle`).
//!
//! Readers read; editors also change flags and segments, schedule and promote; admins also
//! manage tokens. A token restricted to some environments gets 403 for any other.
//!
//! Every change answers 400 (malformed, naming the field), 404 (no such environment, flag or
//! segment), 409 (a key that exists; the `--flags` file holds an unpublished edit), 412 (a
//! stale `If-Match`, with the current document), 422 (the result would not load in clients:
//! the load error), 503 (the store is unavailable) — and in each case publishes nothing. A
//! change that changes nothing (killing a killed flag) answers 200 with `"changed": false`.

// The handlers' early returns carry a finished `Response` as the error: it is built once per
// refused request and returned as is, so boxing it would only add an allocation.
#![allow(clippy::result_large_err)]

mod definitions;
mod experiments;
mod import;
mod lint_path;
mod plans;
mod promote;
mod query;
mod reply;
mod sample_size;
mod scheduled;
mod status;

pub(crate) use definitions::{archive, create, get, kill, list, patch, replace, Scope};
pub(crate) use experiments::experiment;
pub(crate) use import::import;
pub(crate) use lint_path::lint_key;
pub(crate) use plans::{cancel_plan, get_guard, get_plan, put_guard, put_plan, remove_guard};
pub(crate) use promote::promote;
pub(crate) use sample_size::sample_size;
pub(crate) use scheduled::{cancel as cancel_scheduled, list as list_scheduled};
pub(crate) use status::{audit, document, environments, lint, status, whoami};

use crate::app::App;
use crate::listen::peer;
use crate::respond::error;
use crate::store::Role;
use crate::token::{authenticate, Principal};
use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, RETRY_AFTER, WWW_AUTHENTICATE};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::{Arc, PoisonError};

/// Lets a request through only with a known token, which it then carries as a [`Principal`].
pub(crate) async fn authorize(
    State(app): State<Arc<App>>,
    mut request: Request,
    next: Next,
) -> Response {
    let address = peer(&request).map(|a| a.ip());
    let now = std::time::Instant::now();
    if let Some(wait) = address.and_then(|a| app.auth_throttle.check(a, now).err()) {
        let refusal = error(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_failures",
            &format!(
                "too many failed authentications from this address; retry in {} s",
                wait.as_secs() + 1
            ),
            None,
        );
        return ([(RETRY_AFTER, (wait.as_secs() + 1).to_string())], refusal).into_response();
    }
    let principal = request.headers().get(AUTHORIZATION).and_then(|value| {
        let tokens = app.tokens.read().unwrap_or_else(PoisonError::into_inner);
        authenticate(value.as_bytes(), app.operator.as_ref(), &tokens)
    });
    let Some(principal) = principal else {
        if let Some(address) = address {
            app.auth_throttle.failed(address, now);
        }
        let refusal = error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "missing or unknown admin token (Authorization: Bearer <token>)",
            None,
        );
        return (
            [(WWW_AUTHENTICATE, "Bearer realm=\"edgeflag admin\"")],
            refusal,
        )
            .into_response();
    };
    request.extensions_mut().insert(principal);
    next.run(request).await
}

/// 403 unless `principal` has at least `role` and may act on `environment` (if one).
pub(crate) fn allow(
    principal: &Principal,
    role: Role,
    environment: Option<&str>,
) -> Result<(), Response> {
    if principal.role < role {
        return Err(error(
            StatusCode::FORBIDDEN,
            "forbidden",
            &format!(
                "token \"{}\" is a {}; this needs {} {}",
                principal.name,
                principal.role.as_str(),
                if role == Role::Reader { "a" } else { "an" },
                role.as_str()
            ),
            None,
        ));
    }
    if let Some(environment) = environment {
        if !principal.may_use(environment) {
            return Err(error(
                StatusCode::FORBIDDEN,
                "forbidden",
                &format!(
                    "token \"{}\" may not act on environment \"{environment}\" (it may on: {})",
                    principal.name,
                    principal
                        .environments
                        .as_deref()
                        .unwrap_or_default()
                        .join(", ")
                ),
                None,
            ));
        }
    }
    Ok(())
}
