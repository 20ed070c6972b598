//! The scenarios shipped inside the binary.
//!
//! Every file under `scenarios/` that a shipped scenario needs is compiled in, addressed by
//! its path relative to `scenarios/`, so `cohesion run` works from any directory and
//! `cohesion init` can write an editable copy.

/// (path relative to `scenarios/`, contents).
pub static FILES: &[(&str, &str)] = &[
    (
        "nato-2021.toml",
        include_str!("../../scenarios/nato-2021.toml"),
    ),
    (
        "nato-2021-invasion.toml",
        include_str!("../../scenarios/nato-2021-invasion.toml"),
    ),
    (
        "ishigami.toml",
        include_str!("../../scenarios/ishigami.toml"),
    ),
    (
        "data/nato-allies-2021.csv",
        include_str!("../../scenarios/data/nato-allies-2021.csv"),
    ),
    (
        "data/events-2014-2022.csv",
        include_str!("../../scenarios/data/events-2014-2022.csv"),
    ),
    (
        "data/events-2022-2024.csv",
        include_str!("../../scenarios/data/events-2022-2024.csv"),
    ),
    (
        "data/record-2022-2024.csv",
        include_str!("../../scenarios/data/record-2022-2024.csv"),
    ),
    (
        "data/defence-2014-2024.csv",
        include_str!("../../scenarios/data/defence-2014-2024.csv"),
    ),
    (
        "data/leader-meetings-2022-2024.csv",
        include_str!("../../scenarios/data/leader-meetings-2022-2024.csv"),
    ),
    (
        "reference/hk-0.15.toml",
        include_str!("../../scenarios/reference/hk-0.15.toml"),
    ),
    (
        "reference/hk-0.2.toml",
        include_str!("../../scenarios/reference/hk-0.2.toml"),
    ),
    (
        "reference/hk-0.25.toml",
        include_str!("../../scenarios/reference/hk-0.25.toml"),
    ),
    (
        "reference/hk-0.3.toml",
        include_str!("../../scenarios/reference/hk-0.3.toml"),
    ),
    (
        "reference/deffuant-0.2.toml",
        include_str!("../../scenarios/reference/deffuant-0.2.toml"),
    ),
    (
        "reference/deffuant-0.6.toml",
        include_str!("../../scenarios/reference/deffuant-0.6.toml"),
    ),
    (
        "reference/ktab-soe-pol-comp.toml",
        include_str!("../../scenarios/reference/ktab-soe-pol-comp.toml"),
    ),
    (
        "reference/data/soe-pol-comp.csv",
        include_str!("../../scenarios/reference/data/soe-pol-comp.csv"),
    ),
    (
        "reference/toy-normal.toml",
        include_str!("../../scenarios/reference/toy-normal.toml"),
    ),
    (
        "reference/toy-nonlinear.toml",
        include_str!("../../scenarios/reference/toy-nonlinear.toml"),
    ),
    (
        "calibration/toy-normal.targets.toml",
        include_str!("../../scenarios/calibration/toy-normal.targets.toml"),
    ),
    (
        "calibration/toy-nonlinear.targets.toml",
        include_str!("../../scenarios/calibration/toy-nonlinear.targets.toml"),
    ),
    (
        "calibration/nato-2021-invasion.targets.toml",
        include_str!("../../scenarios/calibration/nato-2021-invasion.targets.toml"),
    ),
    (
        "calibration/nato-2021-invasion-channels.targets.toml",
        include_str!("../../scenarios/calibration/nato-2021-invasion-channels.targets.toml"),
    ),
];

/// The default scenario of `cohesion run`.
pub const DEFAULT: &str = "nato-2021";

/// The contents of a built-in file.
pub fn get(path: &str) -> Option<&'static str> {
    FILES.iter().find(|(p, _)| *p == path).map(|(_, c)| *c)
}

/// The built-in scenarios (TOML files but the targets files of `cohesion calibrate`), without
/// `.toml`.
pub fn scenario_names() -> Vec<&'static str> {
    FILES
        .iter()
        .filter(|(p, _)| !p.ends_with(".targets.toml"))
        .filter_map(|(p, _)| p.strip_suffix(".toml"))
        .collect()
}
