#![doc = include_str!("../README.md")]
#![warn(missing_docs)]
// Diagnostics are rich on purpose (file, position, field, help) and only travel on the
// cold error path.
#![allow(clippy::result_large_err)]

pub mod cli;
pub mod diag;
pub mod directory;
pub mod engine;
pub mod fields;
pub mod files;
pub mod hash;
pub mod hints;
pub mod model;
pub mod offboard;
pub mod plan;
pub mod policy;
pub mod render;
pub mod rules;
pub mod snapshot;
pub mod time;
