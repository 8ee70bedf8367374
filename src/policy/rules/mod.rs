//! Policy rules, one file per area.

pub mod licenses;
pub mod models;
pub mod providers;
pub mod risks;
pub mod waivers;
