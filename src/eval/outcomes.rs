//! Evaluation outcomes by flag position, for a binding that keeps the snapshot's names and
//! values on its host's side (the wasm build's JavaScript results): what a flag served as
//! variant and rule positions, not as text.

use super::accessors::Failure;
use super::details::Details;
use super::resolve::Served;
use crate::context::CompiledContext;
use crate::json::Value;
use crate::snapshot::flag_ref::sealed::Lookup;
use crate::snapshot::model::Flag;
use crate::snapshot::{FlagId, FlagRef, FlagType, Snapshot};

/// One flag's position (`None`: not found) and the flag with what it served, or the
/// failure's details.
pub(crate) type Outcome<'s> = (
    Option<FlagId>,
    Result<(&'s Flag, Served), Details<'s, Option<&'s Value>>>,
);

/// A failed evaluation of [`Snapshot::each_served`].
pub(crate) struct Failed<'s> {
    snapshot: &'s Snapshot,
    id: FlagId,
    failure: Failure<'s>,
}

impl<'s> Failed<'s> {
    /// The error details (value `None`), message included.
    pub(crate) fn details(self) -> Details<'s, Option<&'s Value>> {
        self.snapshot.failed(&self.id, self.failure)
    }
}

impl Snapshot {
    /// One flag's outcome for a binding that keeps the snapshot's names and values on its
    /// host's side: the flag's position (`None`: not found) and what it served, or the
    /// failure's details (value `None`), as [`Snapshot::details_typed`] checks them.
    pub(crate) fn served<'s>(
        &'s self,
        key: impl FlagRef,
        ctx: &CompiledContext,
        now: i64,
        want: Option<FlagType>,
    ) -> Outcome<'s> {
        self.served_of(key.id(self), &key, ctx, now, want)
    }

    /// [`Snapshot::served`] once the flag is looked up (not generic: compiled once).
    fn served_of<'s>(
        &'s self,
        id: Option<FlagId>,
        key: &dyn Lookup,
        ctx: &CompiledContext,
        now: i64,
        want: Option<FlagType>,
    ) -> Outcome<'s> {
        let flag = id.and_then(|id| self.flag_at(id.0));
        let outcome = self
            .run(flag, ctx, now, want)
            .map_err(|failure| self.failed(key, failure));
        (id, outcome)
    }

    /// Evaluates every flag in payload order for a binding that keeps the snapshot's names
    /// and values on its host's side: `f` gets each flag with what it served (variant and
    /// rule positions), or the failure, whose message is built only if asked for.
    pub(crate) fn each_served<'s>(
        &'s self,
        ctx: &CompiledContext,
        now: i64,
        mut f: impl FnMut(&'s Flag, Result<Served, Failed<'s>>),
    ) {
        for (i, flag) in (0u32..).zip(self.flags()) {
            match self.run(Some(flag), ctx, now, None) {
                Ok((flag, served)) => f(flag, Ok(served)),
                Err(failure) => f(
                    flag,
                    Err(Failed {
                        snapshot: self,
                        id: FlagId(i),
                        failure,
                    }),
                ),
            }
        }
    }
}
