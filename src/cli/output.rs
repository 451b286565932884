//! Writing results to stdout (shared with the server crate, which prints its start-up lines
//! the same way).

pub(crate) use edgeflag_server::output::{print_line, stdout_failed};
