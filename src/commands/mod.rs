//! The drivers of the command line's batch commands (`run`, `report`, `tag`): options in, files
//! and a summary out. `main.rs` parses the arguments and calls them.

pub mod report;
pub mod run;
pub mod tag;
