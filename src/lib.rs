//! aibom: what AI is in here? An offline AI bill of materials for source trees and cloud exports.
//!
//! The flow is walk → claim → detect → merge → render (see docs/architecture.md). Nothing from
//! the scanned tree is ever executed, imported or unpickled, and nothing touches the network.
#![forbid(unsafe_code)]

pub mod bom;
pub mod catalog;
pub mod cli;
pub mod detect;
pub mod diff;
pub mod policy;
pub mod render;
pub mod risk;
pub mod scan;
#[cfg(test)]
mod testing;
