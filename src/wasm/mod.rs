//! WebAssembly bindings (feature `wasm`): thin classes over the core, one small file per
//! class or concern. They convert and delegate; evaluation and the sync decisions live in the
//! core. Errors become JavaScript `EdgeflagError`s with a stable `code`.

mod clock;
mod context;
mod convert;
mod error;
mod evaluate;
mod evaluator;
mod flag;
mod options;
mod outcome;
mod sync;

pub use context::Context;
pub use error::set_error_class;
pub use evaluator::{bucket, Evaluator};
pub use flag::Flag;
