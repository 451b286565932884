//! A context indexed against a snapshot's attribute table: evaluation reads an attribute by
//! its interned id with two array lookups, no hashing and no string comparison.

use super::Context;
use crate::json::Value;
use crate::snapshot::{AttrId, AttrTable, Snapshot};
use alloc::boxed::Box;
use alloc::vec;
use alloc::vec::Vec;

/// A [`Context`] converted once against a snapshot and reused for many evaluations: the fast
/// path of the wasm and worker bindings.
///
/// It stays correct when a newer snapshot is loaded: evaluation notices a different attribute
/// table and indexes on the fly; [`CompiledContext::refresh`] re-caches it.
#[derive(Clone, Debug)]
pub struct CompiledContext {
    ctx: Context,
    /// The id of the attribute table `slots` was built for.
    table: u64,
    /// Per attribute id: the index + 1 of the attribute in `ctx`, 0 when missing or null.
    slots: Vec<u32>,
    invalid: Option<Box<str>>,
}

/// Attribute access for one evaluation.
#[derive(Clone, Copy)]
pub(crate) struct Attrs<'c> {
    attrs: &'c [(Box<str>, Value)],
    slots: &'c [u32],
}

impl<'c> Attrs<'c> {
    /// The value of attribute `id`, `None` when missing or `null`.
    #[inline(always)]
    pub(crate) fn get(&self, id: AttrId) -> Option<&'c Value> {
        let slot = *self.slots.get(id as usize)?;
        let (_, v) = self.attrs.get(slot.checked_sub(1)? as usize)?;
        Some(v)
    }
}

impl Snapshot {
    /// Compiles `ctx` against this snapshot for fast repeated evaluation. (Written here, in
    /// the layer above the snapshot, which knows nothing of contexts.)
    pub fn context(&self, ctx: &Context) -> CompiledContext {
        CompiledContext::new(ctx.clone(), self)
    }
}

impl CompiledContext {
    /// Indexes `ctx` against `snapshot`'s attributes.
    pub fn new(ctx: Context, snapshot: &Snapshot) -> Self {
        let table = snapshot.attr_table();
        let slots = slots_for(&ctx, table);
        CompiledContext {
            ctx,
            table: table.id(),
            slots,
            invalid: None,
        }
    }

    /// A context not indexed against any snapshot yet (e.g. created before the first snapshot
    /// arrived); it is indexed by the first evaluation or [`CompiledContext::refresh`].
    pub fn unbound(ctx: Context) -> Self {
        CompiledContext {
            ctx,
            // Sealed attribute tables never have id 0, so this never matches.
            table: 0,
            slots: Vec::new(),
            invalid: None,
        }
    }

    /// A context that could not be built: every evaluation with it answers the caller's
    /// default with `INVALID_CONTEXT` and this message.
    pub fn invalid(message: impl Into<Box<str>>) -> Self {
        CompiledContext {
            ctx: Context::new(),
            table: 0,
            slots: Vec::new(),
            invalid: Some(message.into()),
        }
    }

    /// Re-indexes against `snapshot` if its attribute table differs from the cached one.
    pub fn refresh(&mut self, snapshot: &Snapshot) {
        let table = snapshot.attr_table();
        if self.invalid.is_none() && table.id() != self.table {
            self.slots = slots_for(&self.ctx, table);
            self.table = table.id();
        }
    }

    /// The underlying context.
    pub fn context(&self) -> &Context {
        &self.ctx
    }

    /// Why this context is invalid, if it is.
    pub fn invalid_reason(&self) -> Option<&str> {
        self.invalid.as_deref()
    }

    /// Attribute access against `snapshot`, using `scratch` when the cache is for another
    /// attribute table. `Err` carries the reason the context is invalid.
    pub(crate) fn attrs<'c>(
        &'c self,
        snapshot: &Snapshot,
        scratch: &'c mut Vec<u32>,
    ) -> Result<Attrs<'c>, &'c str> {
        if let Some(reason) = &self.invalid {
            return Err(reason);
        }
        let table = snapshot.attr_table();
        let slots = if table.id() == self.table {
            &self.slots
        } else {
            *scratch = slots_for(&self.ctx, table);
            &*scratch
        };
        Ok(Attrs {
            attrs: self.ctx.attributes(),
            slots,
        })
    }
}

fn slots_for(ctx: &Context, table: &AttrTable) -> Vec<u32> {
    let mut slots = vec![0u32; table.len()];
    for (i, (name, value)) in ctx.attributes().iter().enumerate() {
        if matches!(value, Value::Null) {
            continue;
        }
        if let Some(slot) = table.lookup(name).and_then(|id| slots.get_mut(id as usize)) {
            *slot = (i as u32).saturating_add(1);
        }
    }
    slots
}
