//! The `jvm` detector family: Maven and Gradle build files.

use super::Detector;

pub mod gradle;
pub mod gradle_catalog;
pub mod pom_xml;

/// This family's detectors (the registry sorts them by id).
pub const DETECTORS: &[Detector] = &[
    gradle::DETECTOR,
    gradle_catalog::DETECTOR,
    pom_xml::DETECTOR,
];
