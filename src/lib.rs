#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub mod cli;
pub mod diag;
pub mod hash;
pub mod model;
pub mod policy;
pub mod snapshot;
pub mod time;
