//! Imports flag definitions from other engines (Unleash, GrowthBook, flagd) as edgeflag
//! snapshot payloads (`edgeflag/v1.1`) that give the same answers and keep every unit in its
//! bucket. What cannot be expressed is reported as a [`Note`] with its JSON path.
//!
//! The crate README (mapping per vendor, conformance figures, usage):
#![doc = include_str!("README.md")]

mod error;
mod flagd;
mod growthbook;
mod note;
mod path;
mod regex;
mod unleash;

pub use error::ImportError;
pub use note::Note;

use serde_json::Value;

/// The engine a file comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Vendor {
    /// An Unleash client features response (`{"version": 2, "features": [...], "segments": [...]}`).
    Unleash,
    /// A GrowthBook SDK payload (`{"features": {...}, "savedGroups": {...}}`).
    GrowthBook,
    /// A flagd flag configuration (`{"flags": {...}, "$evaluators": {...}}`).
    Flagd,
}

impl Vendor {
    /// The vendor named on the command line (`unleash`, `growthbook`, `flagd`).
    pub fn from_name(name: &str) -> Option<Vendor> {
        match name {
            "unleash" => Some(Vendor::Unleash),
            "growthbook" => Some(Vendor::GrowthBook),
            "flagd" => Some(Vendor::Flagd),
            _ => None,
        }
    }
}

/// What the payload's header says.
#[derive(Clone, Debug)]
pub struct Options {
    /// The payload's `owner`.
    pub owner: String,
    /// The payload's `environment`.
    pub environment: String,
    /// Refuse (instead of noting) anything that cannot be expressed exactly.
    pub strict: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            owner: "imported".into(),
            environment: "production".into(),
            strict: false,
        }
    }
}

/// An imported payload and what the import noticed.
#[derive(Clone, Debug)]
pub struct Import {
    /// The edgeflag payload (schema `edgeflag/v1.1`); `version`, `issuedAt` and `expiresAt`
    /// are left for the signer to set.
    pub payload: Value,
    /// What could not be expressed exactly, or was ignored, each with its path.
    pub notes: Vec<Note>,
}

/// Imports `input` (the vendor's JSON file) from `from`.
pub fn import(from: Vendor, input: &[u8], opts: &Options) -> Result<Import, ImportError> {
    let doc: Value = serde_json::from_slice(input).map_err(ImportError::from_json)?;
    match from {
        Vendor::Unleash => unleash::import(&doc, opts),
        Vendor::GrowthBook => growthbook::import(&doc, opts),
        Vendor::Flagd => flagd::import(&doc, opts),
    }
}
