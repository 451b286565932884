//! How callers name a flag: by key, or by a [`FlagId`] resolved once so that hot paths skip
//! the key lookup (bindings keep one per flag handle).

use super::model::Flag;
use super::Snapshot;

impl Snapshot {
    /// The flag `key` names, or `None`.
    #[inline]
    pub(crate) fn find(&self, key: &impl FlagRef) -> Option<&Flag> {
        key.id(self).and_then(|id| self.flag_at(id.0))
    }
}

/// The position of a flag in one snapshot: valid for that snapshot only (a newer snapshot
/// may order its flags differently), so resolve it again after every load.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FlagId(pub(crate) u32);

impl FlagId {
    /// The position as a number (payload order).
    pub fn index(self) -> u32 {
        self.0
    }
}

/// A way to name a flag in evaluation calls: a key (`&str`, `&String`) or a [`FlagId`].
pub trait FlagRef: sealed::Lookup {}

impl<T: AsRef<str> + ?Sized> FlagRef for &T {}
impl FlagRef for FlagId {}

pub(crate) mod sealed {
    use super::{FlagId, Snapshot};
    use alloc::string::String;

    /// The lookup behind [`super::FlagRef`], private so that only this crate implements it.
    pub trait Lookup {
        /// The id of the flag this names in `snapshot`, or `None`.
        fn id(&self, snapshot: &Snapshot) -> Option<FlagId>;

        /// How error messages name the flag when it is not found.
        fn describe(&self) -> String;
    }

    impl<T: AsRef<str> + ?Sized> Lookup for &T {
        #[inline]
        fn id(&self, snapshot: &Snapshot) -> Option<FlagId> {
            snapshot.flag_id((*self).as_ref())
        }

        fn describe(&self) -> String {
            crate::text::Msg::new("flag ")
                .quoted((*self).as_ref())
                .finish()
        }
    }

    impl Lookup for FlagId {
        #[inline]
        fn id(&self, _: &Snapshot) -> Option<FlagId> {
            Some(*self)
        }

        fn describe(&self) -> String {
            crate::text::Msg::new("flag #").num(self.0).finish()
        }
    }
}
